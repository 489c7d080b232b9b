// Step-up: the second factor a signed-in request must show, after a fresh authHash, before
// an account-level change (deleting the account, replacing the recovery phrase). One
// check for every such route, so a route cannot ask for less than another and become the
// way around it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "config.hpp"
#include "db.hpp"
#include "error.hpp"
#include "webauthn.hpp"

namespace msk {

class Redis;

// A step-up assertion of a security key (a challenge from POST /me/webauthn/challenge) or,
// when TOTP is on, a TOTP code (recorded as used); nothing when the account has neither.
// 403 WEBAUTHN_REQUIRED / TOTP_REQUIRED when the needed factor is missing; a wrong one is
// 403 and counts as a failed login under `fkey` (the account's backoff).
Status check_step_up(Tx &tx, Redis &redis, const Config &cfg, const std::string &user_id,
                     const std::optional<std::string> &totp, const std::optional<WebauthnAssertion> &webauthn,
                     const std::string &fkey, int64_t now_ms);

}  // namespace msk
