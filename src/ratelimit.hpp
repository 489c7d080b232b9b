// Rate limits: a sliding window approximated by two fixed windows (the previous window's
// count weighted by how much of it still overlaps the sliding window, plus the current
// count), kept in Redis. The arithmetic is here as pure functions so it can be unit
// tested; Redis applies the same inequality atomically in a Lua script.
#pragma once

#include <cstdint>
#include <string>

#include "config.hpp"
#include "error.hpp"

namespace msk {

class Redis;

struct RateState {
    int64_t window_ms;   // window length
    int64_t elapsed_ms;  // time since the current fixed window began
    int64_t current;     // requests counted in the current window
    int64_t previous;    // requests counted in the previous window
};

// True when one more request fits under `limit`.
bool rate_allows(const RateState &s, int64_t limit);
// Requests still allowed now (after counting the current one, if it was allowed).
int64_t rate_remaining(const RateState &s, int64_t limit);
// Whole seconds until one more request would fit (at least 1).
int64_t rate_retry_after_s(const RateState &s, int64_t limit);

struct RateDecision {
    bool allowed = true;
    bool redis_down = false;
    int64_t limit = 0;
    int64_t remaining = 0;
    int64_t reset_s = 0;        // seconds until the current window ends
    int64_t retry_after_s = 0;  // when denied
};

// How many requests to charge at once while the window is less than half used, so
// that the next ones are served from this process's lease without a Redis round trip:
// limit/64, at most 64, at least 1 (1 = no lease; every limit up to 127 is exact).
int64_t rate_lease_size(int64_t limit);

// Counts one request of `group` for `subject` (a user id or an IP hash). With `lease`,
// a request that finds the window less than half used charges rate_lease_size(limit)
// requests in Redis at once and the process serves the next ones of that window from
// the rest without asking Redis (docs/internals.md, "Where the time goes"): never more
// requests than the limit, but up to lease-1 per worker process fewer when a lease is
// left unused at the end of a window; RateLimit-Remaining is then approximate. From
// half the window on, every request asks Redis, so the limit itself stays exact.
RateDecision rate_check(Redis &redis, const std::string &group, const std::string &subject,
                        const RateLimitRule &rule, int64_t now_ms, bool lease = false);

// The 429 for a denied decision (Retry-After and RateLimit-* headers).
Error rate_limited_error(const RateDecision &d);

// Login backoff: how long an account must wait after `failures` recent failures, the
// last one at `last_failure_ms`. 0 = may try now. After `lock_failures` failures the wait
// is the whole lock window.
int64_t login_wait_ms(int64_t failures, int64_t last_failure_ms, int64_t now_ms, const Config &cfg);

}  // namespace msk
