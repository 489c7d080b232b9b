// Sliding-window arithmetic and login backoff.
#include <string>

#include "config.hpp"
#include "ratelimit.hpp"
#include "CppUTest/TestHarness.h"

using namespace msk;

TEST_GROUP(RateLimit){};

TEST(RateLimit, FreshWindowAllowsUpToTheLimit) {
    RateState s{60000, 0, 0, 0};
    for (int i = 0; i < 10; i++) {
        CHECK(rate_allows(s, 10));
        s.current++;
    }
    CHECK_FALSE(rate_allows(s, 10));
    LONGS_EQUAL(0, rate_remaining(s, 10));
}

TEST(RateLimit, PreviousWindowCountsByOverlap) {
    // Half-way through the window, a full previous window still weighs half.
    RateState s{60000, 30000, 0, 10};
    LONGS_EQUAL(5, rate_remaining(s, 10));
    s.current = 5;
    CHECK_FALSE(rate_allows(s, 10));
    s.current = 4;
    CHECK(rate_allows(s, 10));
    // At the very end of the window the previous one has almost no weight.
    RateState late{60000, 59999, 0, 10};
    CHECK(rate_allows(late, 10));
}

TEST(RateLimit, RetryAfterIsWhenOneMoreFits) {
    RateState s{60000, 30000, 5, 10};  // denied now
    CHECK_FALSE(rate_allows(s, 10));
    int64_t wait = rate_retry_after_s(s, 10);
    // After the wait, one more fits; one second earlier it did not.
    RateState later = s;
    later.elapsed_ms += wait * 1000;
    CHECK(rate_allows(later, 10));
    RateState earlier = s;
    earlier.elapsed_ms += (wait - 1) * 1000;
    CHECK_FALSE(rate_allows(earlier, 10));
}

TEST(RateLimit, RetryAfterCrossesIntoTheNextWindow) {
    RateState s{60000, 10000, 10, 0};
    CHECK_FALSE(rate_allows(s, 10));
    int64_t wait = rate_retry_after_s(s, 10);
    CHECK(wait >= 50);  // at least until the window ends
    RateState next{60000, (10000 + wait * 1000) - 60000, 0, 10};
    CHECK(rate_allows(next, 10));
}

TEST(RateLimit, LoginBackoffDoublesThenLocks) {
    Config c;  // backoff after 3, lock after 10 within 15 minutes
    LONGLONGS_EQUAL(0, login_wait_ms(2, 1000, 1000, c));
    LONGLONGS_EQUAL(1000, login_wait_ms(3, 1000, 1000, c));
    LONGLONGS_EQUAL(2000, login_wait_ms(4, 1000, 1000, c));
    LONGLONGS_EQUAL(64000, login_wait_ms(9, 1000, 1000, c));
    LONGLONGS_EQUAL(900000, login_wait_ms(10, 1000, 1000, c));
    LONGLONGS_EQUAL(0, login_wait_ms(4, 1000, 3000, c));
}

TEST(RateLimit, LeaseSize) {
    LONGS_EQUAL(1, rate_lease_size(10));
    LONGS_EQUAL(1, rate_lease_size(60));
    LONGS_EQUAL(1, rate_lease_size(127));
    LONGS_EQUAL(2, rate_lease_size(128));
    LONGS_EQUAL(9, rate_lease_size(600));
    LONGS_EQUAL(64, rate_lease_size(100000000));
}
