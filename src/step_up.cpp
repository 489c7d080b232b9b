// Step-up second factor for account-level changes (see step_up.hpp).
#include "step_up.hpp"

#include "crypto.hpp"
#include "login_guard.hpp"
#include "totp.hpp"

namespace msk {

Status check_step_up(Tx &tx, Redis &redis, const Config &cfg, const std::string &user_id,
                     const std::optional<std::string> &totp, const std::optional<WebauthnAssertion> &webauthn,
                     const std::string &fkey, int64_t now_ms) {
    if (webauthn) {
        auto st = webauthn_step_up_verify(tx, redis, cfg, user_id, *webauthn);
        if (st || st.error().status != 401) return st;
        record_failure(redis, fkey, cfg, now_ms);
        return forbidden(st.error().message);
    }
    auto r = tx.exec_prepared("user_totp_for_update", user_id);
    if (r.empty()) return unauthorized("session expired or invalid");
    bool totp_on = !r[0]["totp_secret"].is_null();
    if (!(totp_on && totp) && webauthn_has_keys(tx, user_id))
        return Error{403, "WEBAUTHN_REQUIRED",
                     std::string("the account has a security key: \"webauthn\" (an assertion of a challenge from "
                                 "POST /me/webauthn/challenge)") +
                         (totp_on ? " or \"totp\" is required" : " is required"),
                     {}};
    if (!totp_on) return ok_status();
    if (!totp) return Error{403, "TOTP_REQUIRED", "TOTP is on: \"totp\" (a current code) is required", {}};
    auto secret = open_at_rest(cfg.at_rest_key, "totp:" + user_id, r[0]["totp_secret"].as<std::string>());
    if (!secret) return internal("stored TOTP secret cannot be opened (wrong at_rest_key?)");
    auto step = totp_match(*secret, *totp, now_ms / 1000, r[0]["totp_last_step"].as<int64_t>());
    if (!step) {
        record_failure(redis, fkey, cfg, now_ms);
        return forbidden("invalid or already used TOTP code");
    }
    tx.exec_prepared("user_set_totp_step", user_id, *step);
    return ok_status();
}

}  // namespace msk
