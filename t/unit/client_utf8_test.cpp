// Strict UTF-8 for decrypted text (client/crypto/utf8.hpp), and
// open_envelope_text refusing a plaintext that is not UTF-8 while
// open_envelope (keys, bytes) does not care.
#include <string>

#include "crypto/envelope.hpp"
#include "crypto/utf8.hpp"

#include <CppUTest/TestHarness.h>

using namespace mskanban::crypto;

TEST_GROUP(ClientUtf8){};

TEST(ClientUtf8, AcceptsWhatTextDecoderFatalAccepts) {
    for (const std::string &s : {std::string(""), std::string("plain"), std::string("a\0b", 3), std::string("\x1b[2J"),
                                 std::string("\xc2\x80"), std::string("\xc2\x9b"), std::string("\xe2\x80\xae"),
                                 std::string("\xef\xbb\xbf" "bom"), std::string("\xed\x9f\xbf"),  // U+D7FF
                                 std::string("\xee\x80\x80"), std::string("\xf4\x8f\xbf\xbf"),  // U+E000, U+10FFFF
                                 std::string("日本語 ✓ 🔑")})
        CHECK(valid_utf8(s));
}

TEST(ClientUtf8, RefusesEverythingElse) {
    for (const std::string &s : {std::string("\x80"), std::string("\xbf"), std::string("\xc0\x80"), std::string("\xc1\xbf"),
                                 std::string("\xe0\x80\x80"), std::string("\xe0\x9f\xbf"),       // overlong 3-byte
                                 std::string("\xf0\x80\x80\x80"), std::string("\xf0\x8f\xbf\xbf"),  // overlong 4-byte
                                 std::string("\xed\xa0\x80"), std::string("\xed\xbf\xbf"),        // surrogates
                                 std::string("\xf4\x90\x80\x80"), std::string("\xf5\x80\x80\x80"),  // > U+10FFFF
                                 std::string("\xff"), std::string("\xfe"), std::string("ok\xe2\x82"),  // truncated
                                 std::string("\xe2\x28\xa1"), std::string("\xc3")})
        CHECK_FALSE(valid_utf8(s));
}

TEST(ClientUtf8, EnvelopeTextRefusesInvalidPlaintext) {
    SecretBytes key = SecretBytes::random(32);
    const unsigned char bad[] = {'o', 'k', 0xff, 0xfe};
    auto env = seal_envelope(key, "card:cx", bad, sizeof bad);
    CHECK(env.ok());
    auto text = open_envelope_text(key, "card:cx", env.value());
    CHECK_FALSE(text.ok());
    CHECK(text.error().code == Errc::not_utf8);
    auto bytes = open_envelope(key, "card:cx", env.value());  // the bytes themselves authenticate
    CHECK(bytes.ok());
    CHECK_EQUAL(sizeof bad, bytes.value().size());
    auto good = seal_envelope(key, "card:cx", std::string("a\0\x1b", 3));
    auto back = open_envelope_text(key, "card:cx", good.value());
    CHECK(back.ok());
    CHECK(back.value() == std::string("a\0\x1b", 3));
}
