// WebAuthn security keys as a second factor (issue 13): registration for a signed-in
// user, the list and removal of keys, and the login step. Challenges are random 32-byte
// values in Redis (one use: GETDEL; webauthn_challenge_ttl), bound to the user and the
// ceremony; keys live in webauthn_credentials (sql/016_webauthn.sql). The checks of the
// browser's data are src/webauthn_verify.hpp. Without Redis no challenge can be issued or
// redeemed, so every ceremony answers 503 (fail closed).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config.hpp"
#include "db.hpp"
#include "error.hpp"
#include "webauthn_verify.hpp"

namespace msk {

class Redis;

// The relying party and rules from the config (webauthn_* keys, conf/mskanban.conf.example).
RpPolicy webauthn_policy(const Config &cfg);

struct WebauthnKey {
    std::string id;  // our id (a CUID), used in /me/webauthn/:id
    int cose_alg = 0;
    int64_t sign_count = 0;
    std::string created_at;
    std::optional<std::string> last_used_at;
};

// What navigator.credentials.create() needs (PublicKeyCredentialCreationOptions).
struct RegistrationOptions {
    std::string challenge;    // base64url
    std::string user_handle;  // base64url of the user id (no email: the handle is opaque)
    std::string user_name;    // the email, shown by the authenticator
    std::vector<std::string> exclude;  // base64url ids of the keys already registered
    RpPolicy policy;
    long timeout_ms = 0;
};
Result<RegistrationOptions> webauthn_register_begin(Tx &tx, Redis &redis, const Config &cfg,
                                                    const std::string &user_id, const std::string &email);
// Finishes a registration: the challenge named in clientDataJSON must be this user's open
// registration challenge (it is spent either way), then verify_registration. 409 when the
// key is already registered.
Result<WebauthnKey> webauthn_register_finish(Tx &tx, Redis &redis, const Config &cfg, const std::string &user_id,
                                             const std::string &client_data_json,
                                             const std::string &attestation_object);
std::vector<WebauthnKey> webauthn_list(Tx &tx, const std::string &user_id);
// 404 when the user has no key with that id (another user's id included). Unchecked: the
// route uses webauthn_remove_stepped_up.
Status webauthn_remove(Tx &tx, const std::string &user_id, const std::string &id);
// Every key of the account (account recovery, account deletion).
void webauthn_delete_all(Tx &tx, const std::string &user_id);
bool webauthn_has_keys(Tx &tx, const std::string &user_id);

// The login step. An offer is what navigator.credentials.get() needs.
struct WebauthnOffer {
    std::string challenge;
    std::vector<std::string> allow;  // base64url credential ids
    RpPolicy policy;
    long timeout_ms = 0;
};
Result<WebauthnOffer> webauthn_login_offer(Redis &redis, const Config &cfg, const std::string &user_id,
                                           const std::vector<std::string> &credential_ids);
std::vector<std::string> webauthn_credential_ids(Tx &tx, const std::string &user_id);

// A PublicKeyCredential from navigator.credentials.get(), decoded from base64url.
struct WebauthnAssertion {
    std::string credential_id;
    std::string client_data_json;
    std::string authenticator_data;
    std::string signature;
};
// Checks an assertion for `user_id`'s login: the challenge (spent either way) must be
// one this server offered to this user, clientDataJSON must match, the key must be the
// user's, the signature must verify and the sign count must grow; then the new count is
// stored. 401 for anything that says "not this user's key now", 400 for malformed data.
Status webauthn_login_verify(Tx &tx, Redis &redis, const Config &cfg, const std::string &user_id,
                             const WebauthnAssertion &a);

// The same ceremony as a step-up for a sensitive action of a signed-in user (DELETE /me):
// POST /me/webauthn/challenge gets an offer (404 when the account has no key) whose
// challenge only webauthn_step_up_verify accepts, checked exactly as at login.
Result<WebauthnOffer> webauthn_step_up_offer(Tx &tx, Redis &redis, const Config &cfg, const std::string &user_id);
Status webauthn_step_up_verify(Tx &tx, Redis &redis, const Config &cfg, const std::string &user_id,
                               const WebauthnAssertion &a);

// DELETE /me/webauthn/:id. Removing a key lowers the account's protection, so it needs the
// step-up second factor first (src/step_up.hpp: an assertion of any of the account's keys,
// this one included, or a TOTP code when TOTP is on), as disabling TOTP needs a code: a
// stolen session alone cannot strip the second factor. A wrong factor counts as a failed
// login of `email` (429 while the account waits). Another user's key is a 404 first.
Status webauthn_remove_stepped_up(Tx &tx, Redis &redis, const Config &cfg, const std::string &user_id,
                                  const std::string &email, const std::string &id,
                                  const std::optional<std::string> &totp,
                                  const std::optional<WebauthnAssertion> &assertion);

}  // namespace msk
