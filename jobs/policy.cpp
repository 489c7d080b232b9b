// Delivery policy (see policy.hpp).
#include "policy.hpp"

#include "base64url.hpp"
#include "crypto.hpp"

namespace msk {

const int64_t kRetryDelayMs[kRetryDelays] = {30'000, 120'000, 600'000, 3'600'000, 21'600'000, 86'400'000};

std::string signature_header(const std::string &secret, int64_t unix_s, const std::string &body) {
    std::string t = std::to_string(unix_s);
    return "t=" + t + ",v1=" + hex_encode(hmac_sha256(secret, t + "." + body));
}

std::optional<int64_t> retry_delay_ms(int failures, double scale, double jitter) {
    if (failures < 1 || failures > kRetryDelays) return std::nullopt;
    double d = static_cast<double>(kRetryDelayMs[failures - 1]) * scale;
    if (jitter < 0) jitter = 0;
    if (jitter >= 1) jitter = 0.999;
    return static_cast<int64_t>(d * (1.0 + 0.1 * jitter));
}

Outcome classify(int status, bool guard_refused) {
    if (guard_refused) return Outcome::refused;
    if (status >= 200 && status <= 299) return Outcome::delivered;
    if (status == 0 || status >= 500 || status == 408 || status == 429) return Outcome::retry;
    return Outcome::refused;
}

}  // namespace msk
