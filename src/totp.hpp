// TOTP (RFC 6238): 6 digits, 30-second steps, HMAC-SHA-1, the parameters every
// authenticator app understands. A code is matched against the previous, current and next
// step; the caller records the matched step so that no code is accepted twice.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace msk {

constexpr int kTotpDigits = 6;
constexpr int64_t kTotpStepSeconds = 30;

bool totp_init();
// Six ASCII digits: the only shape a code can have.
bool is_totp_code(const std::string &code);
std::string base32_encode(const std::string &bytes);
// The code for a time step (for tests and clients).
std::string totp_code(const std::string &secret, int64_t step);
// The step the code matches within ±1 step of `now_s`, newer than `last_step`; else nullopt.
std::optional<int64_t> totp_match(const std::string &secret, const std::string &code, int64_t now_s,
                                  int64_t last_step);
std::string totp_uri(const std::string &secret, const std::string &account);

}  // namespace msk
