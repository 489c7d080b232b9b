// WebAuthn registration, key management and the login step (see webauthn.hpp).
#include "webauthn.hpp"

#include <algorithm>

#include "base64url.hpp"
#include "crypto.hpp"
#include "ids.hpp"
#include "json.hpp"
#include "login_guard.hpp"
#include "redis.hpp"
#include "step_up.hpp"
#include "timeutil.hpp"

namespace msk {

namespace {

constexpr const char *kRegister = "register";
constexpr const char *kLogin = "login";
constexpr const char *kStepUp = "step-up";

// Challenges are stored under a hash of their value, so one lookup finds a challenge
// from the clientDataJSON that carries it; the value says whose it is and for what.
std::string challenge_key(const std::string &challenge_b64) {
    return "mskanban:wac:" + hex_encode(sha256(challenge_b64));
}

Result<std::string> new_challenge(Redis &redis, const Config &cfg, const char *purpose, const std::string &user_id) {
    std::string challenge = b64url_encode(random_bytes(32));
    JsonPtr value = own(json_pack("{s:s, s:s}", "purpose", purpose, "userId", user_id.c_str()));
    auto ok = redis.command({"SET", challenge_key(challenge), dump(value.get()), "EX",
                             std::to_string(cfg.webauthn_challenge_ttl_s), "NX"});
    if (!ok || ok->type == REDIS_REPLY_ERROR) return unavailable("security keys are unavailable; try again shortly");
    return challenge;
}

// Spends the challenge named in clientDataJSON (GETDEL: one use, whatever follows) and
// checks that it was issued to `user_id` for `purpose`. Unknown, expired, used or someone
// else's: the same answer.
Result<std::string> spend_challenge(Redis &redis, const std::string &client_data_json, const char *purpose,
                                    const std::string &user_id, int failure_status) {
    auto challenge = client_data_challenge(client_data_json);
    if (!challenge) return challenge.error();
    auto reply = redis.command({"GETDEL", challenge_key(*challenge)});
    if (!reply || reply->type == REDIS_REPLY_ERROR)
        return unavailable("security keys are unavailable; try again shortly");
    Error stale{failure_status, failure_status == 401 ? "UNAUTHORIZED" : "BAD_REQUEST",
                "the WebAuthn challenge is unknown, expired or already used", {}};
    if (reply->type != REDIS_REPLY_STRING) return stale;
    auto value = parse_object(std::string(reply->str, reply->len));
    if (!value) return stale;
    const char *p = json_string_value(json_object_get(value->get(), "purpose"));
    const char *u = json_string_value(json_object_get(value->get(), "userId"));
    if (!p || !u || std::string(p) != purpose || user_id != u) return stale;
    return *challenge;
}

WebauthnKey key_from(const pqxx::row &r) {
    WebauthnKey k;
    k.id = r["id"].as<std::string>();
    k.cose_alg = r["cose_alg"].as<int>();
    k.sign_count = r["sign_count"].as<int64_t>();
    k.created_at = r["created_at"].as<std::string>();
    if (!r["last_used_at"].is_null()) k.last_used_at = r["last_used_at"].as<std::string>();
    return k;
}

}  // namespace

RpPolicy webauthn_policy(const Config &cfg) {
    RpPolicy p;
    p.origins = cfg.webauthn_origins.empty() ? cfg.allowed_origins : cfg.webauthn_origins;
    p.rp_id = cfg.webauthn_rp_id;
    if (p.rp_id.empty() && !p.origins.empty()) {
        // The host of the first origin: scheme://host[:port]
        std::string o = p.origins.front();
        size_t start = o.find("://");
        start = start == std::string::npos ? 0 : start + 3;
        size_t end = o.find_first_of(":/", start);
        p.rp_id = o.substr(start, end == std::string::npos ? std::string::npos : end - start);
    }
    p.rp_name = cfg.webauthn_rp_name;
    p.user_verification = cfg.webauthn_user_verification;
    p.require_uv = p.user_verification == "required";
    return p;
}

std::vector<std::string> webauthn_credential_ids(Tx &tx, const std::string &user_id) {
    std::vector<std::string> ids;
    for (const auto &r : tx.exec_prepared("webauthn_credential_ids", user_id))
        ids.push_back(r["credential_id"].as<std::string>());
    return ids;
}

Result<RegistrationOptions> webauthn_register_begin(Tx &tx, Redis &redis, const Config &cfg,
                                                    const std::string &user_id, const std::string &email) {
    RegistrationOptions o;
    o.policy = webauthn_policy(cfg);
    if (o.policy.rp_id.empty() || o.policy.origins.empty())
        return unavailable("security keys are not configured on this server (webauthn_rp_id, webauthn_origins)");
    auto challenge = new_challenge(redis, cfg, kRegister, user_id);
    if (!challenge) return challenge.error();
    o.challenge = *challenge;
    o.user_handle = b64url_encode(user_id);
    o.user_name = email;
    o.exclude = webauthn_credential_ids(tx, user_id);
    o.timeout_ms = cfg.webauthn_challenge_ttl_s * 1000;
    return o;
}

Result<WebauthnKey> webauthn_register_finish(Tx &tx, Redis &redis, const Config &cfg, const std::string &user_id,
                                             const std::string &client_data_json,
                                             const std::string &attestation_object) {
    RpPolicy policy = webauthn_policy(cfg);
    auto challenge = spend_challenge(redis, client_data_json, kRegister, user_id, 400);
    if (!challenge) return challenge.error();
    auto cd = check_client_data(client_data_json, "webauthn.create", *challenge, policy);
    if (!cd) return cd.error();
    auto cred = verify_registration(attestation_object, client_data_json, policy);
    if (!cred) return cred.error();
    auto r = tx.exec_prepared("webauthn_insert", new_id(), user_id, b64url_encode(cred->credential_id),
                              b64url_encode(cred->public_key), cred->cose_alg, static_cast<int64_t>(cred->sign_count));
    if (r.empty()) return conflict("this security key is already registered");
    return key_from(r[0]);
}

std::vector<WebauthnKey> webauthn_list(Tx &tx, const std::string &user_id) {
    std::vector<WebauthnKey> out;
    for (const auto &r : tx.exec_prepared("webauthn_list", user_id)) out.push_back(key_from(r));
    return out;
}

Status webauthn_remove(Tx &tx, const std::string &user_id, const std::string &id) {
    if (tx.exec_prepared("webauthn_delete", id, user_id).empty()) return not_found("no such security key");
    return ok_status();
}

void webauthn_delete_all(Tx &tx, const std::string &user_id) { tx.exec_prepared("webauthn_delete_all", user_id); }

Status webauthn_remove_stepped_up(Tx &tx, Redis &redis, const Config &cfg, const std::string &user_id,
                                  const std::string &email, const std::string &id,
                                  const std::optional<std::string> &totp,
                                  const std::optional<WebauthnAssertion> &assertion) {
    // Someone else's key (or none) is a 404 before any factor is asked for.
    auto keys = webauthn_list(tx, user_id);
    if (std::none_of(keys.begin(), keys.end(), [&](const WebauthnKey &k) { return k.id == id; }))
        return not_found("no such security key");
    int64_t now = now_ms();
    std::string fkey = failures_key(cfg, email);
    auto backoff = check_backoff(redis, cfg, fkey, now);
    if (!backoff) return backoff.error();
    auto st = check_step_up(tx, redis, cfg, user_id, totp, assertion, fkey, now);
    if (!st) return st;
    return webauthn_remove(tx, user_id, id);
}

bool webauthn_has_keys(Tx &tx, const std::string &user_id) {
    return tx.exec_prepared("webauthn_count", user_id)[0]["n"].as<int64_t>() > 0;
}

namespace {

// The assertion ceremony, for login or for a step-up: an offer's challenge is bound to
// the user and the purpose, so a login challenge cannot be spent on a step-up or back.
Result<WebauthnOffer> assertion_offer(Redis &redis, const Config &cfg, const char *purpose,
                                      const std::string &user_id, const std::vector<std::string> &credential_ids) {
    WebauthnOffer o;
    o.policy = webauthn_policy(cfg);
    auto challenge = new_challenge(redis, cfg, purpose, user_id);
    if (!challenge) return challenge.error();
    o.challenge = *challenge;
    o.allow = credential_ids;
    o.timeout_ms = cfg.webauthn_challenge_ttl_s * 1000;
    return o;
}

Status assertion_verify(Tx &tx, Redis &redis, const Config &cfg, const char *purpose, const std::string &user_id,
                        const WebauthnAssertion &a) {
    RpPolicy policy = webauthn_policy(cfg);
    auto challenge = spend_challenge(redis, a.client_data_json, purpose, user_id, 401);
    if (!challenge) return challenge.error();
    auto cd = check_client_data(a.client_data_json, "webauthn.get", *challenge, policy);
    if (!cd) return unauthorized(cd.error().message);
    auto r = tx.exec_prepared("webauthn_for_assertion", user_id, b64url_encode(a.credential_id));
    if (r.empty()) return unauthorized("this security key is not registered to the account");
    auto pk = b64url_decode(r[0]["public_key"].as<std::string>());
    if (!pk) return internal("stored WebAuthn public key is not base64url");
    auto count = verify_assertion(*pk, r[0]["cose_alg"].as<int>(), a.authenticator_data, a.client_data_json,
                                  a.signature, policy);
    if (!count) return count.error().status == 400 ? unauthorized(count.error().message) : count.error();
    int64_t stored = r[0]["sign_count"].as<int64_t>();
    if (!sign_count_ok(stored, *count))
        return unauthorized("the security key's sign count did not increase (a cloned key or a replayed assertion)");
    tx.exec_prepared("webauthn_used", r[0]["id"].as<std::string>(), static_cast<int64_t>(*count));
    return ok_status();
}

}  // namespace

Result<WebauthnOffer> webauthn_login_offer(Redis &redis, const Config &cfg, const std::string &user_id,
                                           const std::vector<std::string> &credential_ids) {
    return assertion_offer(redis, cfg, kLogin, user_id, credential_ids);
}

Status webauthn_login_verify(Tx &tx, Redis &redis, const Config &cfg, const std::string &user_id,
                             const WebauthnAssertion &a) {
    return assertion_verify(tx, redis, cfg, kLogin, user_id, a);
}

Result<WebauthnOffer> webauthn_step_up_offer(Tx &tx, Redis &redis, const Config &cfg, const std::string &user_id) {
    auto ids = webauthn_credential_ids(tx, user_id);
    if (ids.empty()) return not_found("the account has no security key");
    return assertion_offer(redis, cfg, kStepUp, user_id, ids);
}

Status webauthn_step_up_verify(Tx &tx, Redis &redis, const Config &cfg, const std::string &user_id,
                               const WebauthnAssertion &a) {
    return assertion_verify(tx, redis, cfg, kStepUp, user_id, a);
}

}  // namespace msk
