// The delivery policy of mskanban-jobs (jobs/policy.hpp): the signature, the retry
// schedule with its jitter and scale, and what each answer means.
#include <string>

#include "policy.hpp"

#include "CppUTest/TestHarness.h"

using namespace msk;

TEST_GROUP(JobsPolicy){};

// Checked against: printf '1700000000.{"verb":"CARD_MOVED"}' | openssl dgst -sha256 -hmac whsec_test
TEST(JobsPolicy, SignatureIsHmacSha256OfTimestampDotBody) {
    STRCMP_EQUAL("t=1700000000,v1=78dd1ab8e86035e36fb12b6aca7657106723d9c843d2f4c60505d773c7b93cbc",
                 signature_header("whsec_test", 1700000000, "{\"verb\":\"CARD_MOVED\"}").c_str());
}

TEST(JobsPolicy, RetriesFollowTheScheduleThenDeadLetter) {
    const int64_t want[] = {30000, 120000, 600000, 3600000, 21600000, 86400000};
    for (int i = 1; i <= 6; ++i) CHECK_EQUAL(want[i - 1], *retry_delay_ms(i, 1.0, 0.0));
    CHECK_FALSE(retry_delay_ms(7, 1.0, 0.0));
    CHECK_FALSE(retry_delay_ms(0, 1.0, 0.0));
}

TEST(JobsPolicy, JitterAddsAtMostTenPercentAndScaleShrinks) {
    CHECK_EQUAL(32999, *retry_delay_ms(1, 1.0, 0.9999));
    CHECK(*retry_delay_ms(1, 1.0, 0.5) >= 31499 && *retry_delay_ms(1, 1.0, 0.5) <= 31500);
    CHECK(*retry_delay_ms(6, 1.0, 5.0) < 86400000 * 1.1);
    CHECK_EQUAL(3, *retry_delay_ms(1, 0.0001, 0.0));
    CHECK_EQUAL(8640, *retry_delay_ms(6, 0.0001, 0.0));
}

TEST(JobsPolicy, ClassifiesAnswers) {
    CHECK(classify(200, false) == Outcome::delivered);
    CHECK(classify(204, false) == Outcome::delivered);
    CHECK(classify(0, false) == Outcome::retry);
    CHECK(classify(500, false) == Outcome::retry);
    CHECK(classify(503, false) == Outcome::retry);
    CHECK(classify(408, false) == Outcome::retry);
    CHECK(classify(429, false) == Outcome::retry);
    CHECK(classify(400, false) == Outcome::refused);
    CHECK(classify(404, false) == Outcome::refused);
    CHECK(classify(410, false) == Outcome::refused);
    CHECK(classify(301, false) == Outcome::refused);
    CHECK(classify(302, false) == Outcome::refused);
    CHECK(classify(100, false) == Outcome::refused);
    CHECK(classify(0, true) == Outcome::refused);
    CHECK(classify(200, true) == Outcome::refused);
}
