// TOTP against the RFC 6238 SHA-1 test vectors (8-digit codes truncated to 6).
#include <string>

#include "totp.hpp"
#include "CppUTest/TestHarness.h"

using namespace msk;

static const std::string kSecret = "12345678901234567890";

TEST_GROUP(Totp) {
    void setup() override { totp_init(); }
};

TEST(Totp, Rfc6238Vectors) {
    // RFC 6238 appendix B: T=59 -> 94287082, T=1111111109 -> 07081804, T=2000000000 -> 69279037.
    STRCMP_EQUAL("287082", totp_code(kSecret, 59 / 30).c_str());
    STRCMP_EQUAL("081804", totp_code(kSecret, 1111111109 / 30).c_str());
    STRCMP_EQUAL("279037", totp_code(kSecret, 2000000000 / 30).c_str());
}

TEST(Totp, MatchesAdjacentStepsOnlyOnce) {
    int64_t now = 1111111109;
    int64_t step = now / 30;
    auto m = totp_match(kSecret, totp_code(kSecret, step), now, 0);
    CHECK(m.has_value());
    LONGLONGS_EQUAL(step, *m);
    CHECK_FALSE(totp_match(kSecret, totp_code(kSecret, step), now, step).has_value());  // reuse
    CHECK(totp_match(kSecret, totp_code(kSecret, step - 1), now, 0).has_value());
    CHECK_FALSE(totp_match(kSecret, totp_code(kSecret, step - 2), now, 0).has_value());
    CHECK_FALSE(totp_match(kSecret, "12345", now, 0).has_value());
}

TEST(Totp, UriCarriesTheParameters) {
    std::string uri = totp_uri(kSecret, "a b@example.org");
    CHECK(uri.rfind("otpauth://totp/MSKanban:a%20b@example.org?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", 0) == 0);
    CHECK(uri.find("digits=6") != std::string::npos);
    CHECK(uri.find("period=30") != std::string::npos);
}
