// Envelope and base64url edge cases of client/crypto/ that the vectors do not
// cover: strict parsing, AAD binding, sizes.
#include <string>
#include <vector>

#include "crypto/aad.hpp"
#include "crypto/b64url.hpp"
#include "crypto/envelope.hpp"

#include <CppUTest/TestHarness.h>

using namespace mskanban::crypto;

TEST_GROUP(ClientEnvelope){};

TEST(ClientEnvelope, Base64urlIsStrict) {
    CHECK(b64url_decode("AAEC").ok());
    STRCMP_EQUAL("_-8", b64url_encode(std::vector<unsigned char>{0xff, 0xef}).c_str());
    CHECK_FALSE(b64url_decode("AA==").ok());   // padding
    CHECK_FALSE(b64url_decode("+/8").ok());    // standard alphabet
    CHECK_FALSE(b64url_decode("AAE C").ok());  // whitespace
    CHECK_FALSE(b64url_decode("A").ok());      // impossible length
    CHECK_FALSE(b64url_decode("AB").ok());     // non-zero trailing bits
    CHECK_EQUAL(0u, b64url_decode("").value().size());
}

TEST(ClientEnvelope, RoundTripAndBinding) {
    SecretBytes key = SecretBytes::random(32);
    auto env = seal_envelope(key, aad::card("c1"), "hello");
    CHECK(env.ok());
    STRCMP_EQUAL("v1.", env.value().substr(0, 3).c_str());
    STRCMP_EQUAL("hello", open_envelope_text(key, aad::card("c1"), env.value()).value().c_str());
    auto moved = open_envelope_text(key, aad::card("c2"), env.value());
    CHECK_FALSE(moved.ok());
    CHECK(moved.error().code == Errc::decrypt_failed);
    CHECK_FALSE(open_envelope_text(key, aad::board("c1"), env.value()).ok());
}

TEST(ClientEnvelope, FreshNoncePerSeal) {
    SecretBytes key = SecretBytes::random(32);
    CHECK(seal_envelope(key, "x", "same").value() != seal_envelope(key, "x", "same").value());
}

TEST(ClientEnvelope, MalformedEnvelopesAreInvalidInputNotDecryptFailures) {
    SecretBytes key = SecretBytes::random(32);
    for (const char *bad : {"", "v2.AAAA.AAAA", "v1.AAAA", "v1.AAAA.AAAA.AAAA",
                            "v1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.AAAA",  // tag too short
                            "v1.AAAA.AAAAAAAAAAAAAAAAAAAAAA"}) {        // nonce too short
        auto r = open_envelope(key, "x", bad);
        CHECK_FALSE(r.ok());
        CHECK(r.error().code == Errc::invalid_input);
    }
}

TEST(ClientEnvelope, KeyMustBe32Bytes) {
    SecretBytes short_key = SecretBytes::random(16);
    CHECK_FALSE(seal_envelope(short_key, "x", "y").ok());
}
