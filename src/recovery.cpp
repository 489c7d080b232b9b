// Account recovery (see recovery.hpp).
#include "recovery.hpp"

#include "base64url.hpp"
#include "crypto.hpp"
#include "login_guard.hpp"
#include "sessions.hpp"
#include "timeutil.hpp"
#include "step_up.hpp"
#include "totp.hpp"
#include "webauthn.hpp"

namespace msk {

namespace {

// A deterministic envelope for `email`, keyed by the server secret: "v1.<24-byte nonce>.
// <48-byte ciphertext>", the size of a wrapped 32-byte key (what the reference client
// stores), so an unknown email's answer has the same shape and length and is the same on
// every call.
std::string fake_envelope(const Config &cfg, const std::string &label, const std::string &email) {
    auto part = [&](const char *what) { return hmac_sha256(cfg.hash_key, label + '\0' + what + '\0' + email); };
    std::string nonce = part("nonce").substr(0, 24);
    std::string ct = part("ct1") + part("ct2").substr(0, 16);
    return "v1." + b64url_encode(nonce) + "." + b64url_encode(ct);
}

Error invalid_recovery() { return unauthorized("invalid email or recovery phrase"); }

}  // namespace

RecoveryInit recovery_init(Tx &tx, const Config &cfg, const std::string &email) {
    auto r = tx.exec_prepared("recovery_by_email", email);
    if (!r.empty() && r[0]["has_verifier"].as<bool>())
        return {r[0]["enc_recovery_blob"].as<std::string>(), r[0]["enc_recovery_private_key"].as<std::string>()};
    // Unknown, or an account that never set a verifier (it cannot recover either way).
    return {fake_envelope(cfg, "recovery-blob", email), fake_envelope(cfg, "recovery-private-key", email)};
}

Status store_recovery(Tx &tx, const Config &cfg, const std::string &user_id, const RecoveryMaterial &m) {
    auto hash = server_hash(m.verifier, cfg.argon2);
    if (!hash) return internal("could not hash the recovery verifier");
    tx.exec_prepared("recovery_store", user_id, m.enc_recovery_blob, m.enc_recovery_private_key, *hash);
    return ok_status();
}

void remove_second_factors(Tx &tx, const std::string &user_id) {
    tx.exec_prepared("recovery_totp_off", user_id);
    webauthn_delete_all(tx, user_id);
}

Result<UserView> recover_account(Tx &tx, Redis &redis, const Config &cfg, const RecoverInput &in) {
    int64_t now = now_ms();
    std::string fkey = failures_key(cfg, in.email);
    auto backoff = check_backoff(redis, cfg, fkey, now);
    if (!backoff) return backoff.error();

    auto r = tx.exec_prepared("recovery_user_for_update", in.email);
    bool known = !r.empty() && !r[0]["recovery_verifier"].is_null();
    // One Argon2id verification on every path, so an unknown email costs the same time.
    bool ok = server_verify(known ? r[0]["recovery_verifier"].as<std::string>() : dummy_hash(cfg), in.verifier);
    if (!known || !ok) {
        record_failure(redis, fkey, cfg, now);
        return invalid_recovery();
    }
    const std::string user_id = r[0]["id"].as<std::string>();
    auto auth = server_hash(in.auth_hash, cfg.argon2);
    auto verifier = server_hash(in.next.verifier, cfg.argon2);
    if (!auth || !verifier) return internal("could not hash the credentials");
    auto u = tx.exec_prepared("recovery_replace", user_id, *auth, in.kdf.memory_kib, in.kdf.iterations,
                              in.kdf.parallelism, in.kdf_salt, in.auth_salt, in.enc_private_key,
                              in.enc_symmetric_key, in.next.enc_recovery_blob, in.next.enc_recovery_private_key,
                              *verifier);
    remove_second_factors(tx, user_id);
    revoke_all_sessions(tx, redis, user_id);
    clear_failures_after_commit(tx, redis, fkey);
    UserView v;
    v.id = u[0]["id"].as<std::string>();
    v.email = u[0]["email"].as<std::string>();
    v.created_at = u[0]["created_at"].as<std::string>();
    v.totp_enabled = false;
    return v;
}

Status rotate_recovery(Tx &tx, Redis &redis, const Config &cfg, const std::string &user_id,
                       const std::string &email, const std::string &auth_hash,
                       const std::optional<std::string> &totp, const std::optional<WebauthnAssertion> &webauthn,
                       const RecoveryMaterial &m) {
    int64_t now = now_ms();
    std::string fkey = failures_key(cfg, email);
    auto backoff = check_backoff(redis, cfg, fkey, now);
    if (!backoff) return backoff.error();
    auto r = tx.exec_prepared("user_by_email", email);
    if (r.empty()) return not_found("no such user");
    if (!server_verify(r[0]["auth_hash"].as<std::string>(), auth_hash)) {
        record_failure(redis, fkey, cfg, now);
        return forbidden("authHash does not match the account's password");
    }
    auto factor = check_step_up(tx, redis, cfg, user_id, totp, webauthn, fkey, now);
    if (!factor) return factor;
    auto st = store_recovery(tx, cfg, user_id, m);
    if (!st) return st;
    clear_failures_after_commit(tx, redis, fkey);
    return ok_status();
}

}  // namespace msk
