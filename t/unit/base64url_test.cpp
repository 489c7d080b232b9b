// base64url: round trips, RFC 4648 vectors, and strictness.
#include <string>

#include "base64url.hpp"
#include "CppUTest/TestHarness.h"

using namespace msk;

TEST_GROUP(Base64url){};

TEST(Base64url, Rfc4648Vectors) {
    STRCMP_EQUAL("", b64url_encode("").c_str());
    STRCMP_EQUAL("Zg", b64url_encode("f").c_str());
    STRCMP_EQUAL("Zm8", b64url_encode("fo").c_str());
    STRCMP_EQUAL("Zm9v", b64url_encode("foo").c_str());
    STRCMP_EQUAL("Zm9vYmFy", b64url_encode("foobar").c_str());
    STRCMP_EQUAL("-_8", b64url_encode(std::string("\xfb\xff", 2)).c_str());
}

TEST(Base64url, RoundTripsAllLengths) {
    std::string bytes;
    for (int i = 0; i < 70; i++) {
        auto d = b64url_decode(b64url_encode(bytes));
        CHECK(d.has_value());
        CHECK(*d == bytes);
        bytes += static_cast<char>(i * 37);
    }
}

TEST(Base64url, RejectsPaddingAndForeignAlphabet) {
    CHECK_FALSE(b64url_decode("Zg==").has_value());
    CHECK_FALSE(b64url_decode("Zm9v+/").has_value());
    CHECK_FALSE(b64url_decode("Zm 9v").has_value());
    CHECK_FALSE(b64url_decode("Z").has_value());  // impossible length
}

TEST(Base64url, RejectsNonCanonicalTrailingBits) {
    CHECK(b64url_decode("Zg").has_value());
    CHECK_FALSE(b64url_decode("Zh").has_value());  // same byte, stray low bits
}

TEST(Base64url, Hex) {
    STRCMP_EQUAL("00ff10", hex_encode(std::string("\x00\xff\x10", 3)).c_str());
    CHECK(*hex_decode("00FF10") == std::string("\x00\xff\x10", 3));
    CHECK_FALSE(hex_decode("0g").has_value());
    CHECK_FALSE(hex_decode("abc").has_value());
}
