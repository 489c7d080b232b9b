// What mskanban-jobs decides about a delivery, as pure functions (unit-tested in
// t/unit/jobs_policy_test.cpp): the signature header, the retry schedule and what an
// answer means. docs/internals.md ("Webhooks") is the contract for receivers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace msk {

// The retry delays after the 1st, 2nd, ... failure of a round: 30 s, 2 min, 10 min,
// 1 h, 6 h, 24 h. The first attempt is immediate, so a round has at most 7 attempts.
constexpr int kRetryDelays = 6;
extern const int64_t kRetryDelayMs[kRetryDelays];

// X-MSKanban-Signature: "t=<unix>,v1=<hex HMAC-SHA256 of "<unix>.<body>" keyed by the
// whole secret string>".
std::string signature_header(const std::string &secret, int64_t unix_s, const std::string &body);

// The delay before the next attempt after failure number `failures` (1-based) of a
// round, scaled by `scale` and stretched by `jitter` in [0, 1) times 10 %; nullopt when
// the round is over (dead-letter).
std::optional<int64_t> retry_delay_ms(int failures, double scale, double jitter);

enum class Outcome {
    delivered,  // 2xx
    retry,      // 5xx, 408, 429, timeout, network error: tried again on the schedule
    refused,    // 1xx, 3xx (redirects are not followed), other 4xx, or an address the
                // guard refuses: failed for good (requeue to try again)
};
// `status` 0 means no HTTP answer (timeout, connection or protocol error).
Outcome classify(int status, bool guard_refused);

}  // namespace msk
