// Registration, login and TOTP.
#include "accounts.hpp"

#include "base64url.hpp"
#include "crypto.hpp"
#include "ids.hpp"
#include "log.hpp"
#include "login_guard.hpp"
#include "ratelimit.hpp"
#include "redis.hpp"
#include "sessions.hpp"
#include "timeutil.hpp"
#include "totp.hpp"

namespace msk {

namespace {

std::string totp_label(const std::string &user_id) { return "totp:" + user_id; }

UserView user_view(const pqxx::row &r) {
    UserView v;
    v.id = r["id"].as<std::string>();
    v.email = r["email"].as<std::string>();
    v.created_at = r["created_at"].as<std::string>();
    v.totp_enabled = !r["totp_secret"].is_null();
    return v;
}

UserKeys user_keys(const pqxx::row &r) {
    UserKeys k;
    k.kdf = {r["kdf_memory_kib"].as<int>(), r["kdf_iterations"].as<int>(),
             r["kdf_parallelism"].as<int>()};
    k.kdf_salt = r["kdf_salt"].as<std::string>();
    k.auth_salt = r["auth_salt"].as<std::string>();
    k.public_key = r["public_key"].as<std::string>();
    k.enc_private_key = r["enc_private_key"].as<std::string>();
    k.enc_symmetric_key = r["enc_symmetric_key"].as<std::string>();
    return k;
}

Error invalid_credentials() { return unauthorized("invalid email or password"); }

}  // namespace

std::string normalize_email(const std::string &email) {
    if (email.size() < 3 || email.size() > 254) return {};
    size_t at = email.find('@');
    if (at == std::string::npos || at == 0 || at != email.rfind('@') || at + 1 >= email.size()) return {};
    if (at > 64) return {};
    std::string out;
    for (unsigned char c : email) {
        if (c <= 0x20 || c >= 0x7f || c == '"' || c == '(' || c == ')' || c == ',' || c == ':' ||
            c == ';' || c == '<' || c == '>' || c == '[' || c == ']' || c == '\\')
            return {};
        out += static_cast<char>(tolower(c));
    }
    std::string domain = out.substr(at + 1);
    if (domain.find('.') == std::string::npos || domain.front() == '.' || domain.back() == '.' ||
        domain.find("..") != std::string::npos)
        return {};
    return out;
}

std::string keyed_hash(const Config &cfg, const std::string &label, const std::string &value) {
    return hex_encode(hmac_sha256(cfg.hash_key, label + '\0' + value)).substr(0, 32);
}

Result<LoginInit> login_init(Tx &tx, const Config &cfg, const std::string &email) {
    auto r = tx.exec_prepared("user_by_email", email);
    LoginInit out;
    if (!r.empty()) {
        UserKeys k = user_keys(r[0]);
        out.kdf = k.kdf;
        out.kdf_salt = k.kdf_salt;
        out.auth_salt = k.auth_salt;
        return out;
    }
    // Unknown email: deterministic salts of the same shape, so repeated calls agree.
    out.kdf_salt = b64url_encode(hmac_sha256(cfg.hash_key, std::string("kdf-salt") + '\0' + email).substr(0, 16));
    out.auth_salt = b64url_encode(hmac_sha256(cfg.hash_key, std::string("auth-salt") + '\0' + email).substr(0, 16));
    return out;
}

Result<UserView> register_user(Tx &tx, const Config &cfg, const RegisterInput &in) {
    auto hash = server_hash(in.auth_hash, cfg.argon2);
    if (!hash) return internal("could not hash the credentials");
    auto r = tx.exec_prepared("user_insert", new_id(), in.email, *hash, in.kdf.memory_kib,
                              in.kdf.iterations, in.kdf.parallelism, in.kdf_salt, in.auth_salt,
                              in.public_key, in.enc_private_key, in.enc_symmetric_key,
                              in.enc_recovery_blob);
    if (r.empty()) return conflict("an account with this email already exists");
    UserView v;
    v.id = r[0]["id"].as<std::string>();
    v.email = r[0]["email"].as<std::string>();
    v.created_at = r[0]["created_at"].as<std::string>();
    return v;
}

Result<LoginResult> login(Tx &tx, Redis &redis, const Config &cfg, const LoginInput &in) {
    int64_t now = now_ms();
    std::string fkey = failures_key(cfg, in.email);
    // Without Redis there is no brute-force protection, so login fails closed.
    auto backoff = check_backoff(redis, cfg, fkey, now);
    if (!backoff) return backoff.error();

    auto r = tx.exec_prepared("user_by_email", in.email);
    if (r.empty()) {
        server_verify(dummy_hash(cfg), in.auth_hash);
        record_failure(redis, fkey, cfg, now);
        return invalid_credentials();
    }
    const pqxx::row row = r[0];
    if (!server_verify(row["auth_hash"].as<std::string>(), in.auth_hash)) {
        record_failure(redis, fkey, cfg, now);
        return invalid_credentials();
    }
    LoginResult out;
    out.user = user_view(row);
    out.keys = user_keys(row);
    // A security key (src/webauthn.hpp) satisfies the second factor. An account with a key
    // that sent neither an assertion nor a usable TOTP code gets a challenge, no session.
    bool key_passed = false;
    if (in.webauthn) {
        auto st = webauthn_login_verify(tx, redis, cfg, out.user.id, *in.webauthn);
        if (!st) {
            if (st.error().status == 401) record_failure(redis, fkey, cfg, now);
            return st.error();
        }
        key_passed = true;
    } else if (!(in.totp && out.user.totp_enabled)) {
        auto ids = webauthn_credential_ids(tx, out.user.id);
        if (!ids.empty()) {
            auto offer = webauthn_login_offer(redis, cfg, out.user.id, ids);
            if (!offer) return offer.error();
            out.webauthn_offer = *offer;
            return out;
        }
    }
    if (out.user.totp_enabled && !key_passed) {
        if (!in.totp) return Error{401, "TOTP_REQUIRED", "a TOTP code is required", {}};
        auto locked = tx.exec_prepared("user_totp_for_update", out.user.id);
        auto secret = open_at_rest(cfg.at_rest_key, totp_label(out.user.id),
                                   locked[0]["totp_secret"].as<std::string>());
        if (!secret) return internal("stored TOTP secret cannot be opened (wrong at_rest_key?)");
        auto step = totp_match(*secret, *in.totp, now / 1000, locked[0]["totp_last_step"].as<int64_t>());
        if (!step) {
            record_failure(redis, fkey, cfg, now);
            return unauthorized("invalid or already used TOTP code");
        }
        tx.exec_prepared("user_set_totp_step", out.user.id, *step);
    }
    NewSession s = create_session(tx, cfg, out.user.id, keyed_hash(cfg, "ip", in.ip), in.user_agent);
    clear_failures_after_commit(tx, redis, fkey);
    out.session_id = s.id;
    out.session_token = s.token;
    out.session_expires_at = s.expires_at;
    return out;
}

Result<UserDetail> get_user(Tx &tx, const std::string &user_id) {
    auto r = tx.exec_prepared("user_by_id", user_id);
    if (r.empty()) return not_found("no such user");
    return user_detail_from(r[0]);
}

UserDetail user_detail_from(const pqxx::row &r) {
    UserDetail d;
    d.user = user_view(r);
    d.keys = user_keys(r);
    d.enc_recovery_blob = r["enc_recovery_blob"].as<std::string>();
    return d;
}

Result<TotpEnrollment> totp_enroll(Tx &tx, const Config &cfg, const std::string &user_id) {
    auto r = tx.exec_prepared("user_totp_for_update", user_id);
    if (r.empty()) return not_found("no such user");
    if (!r[0]["totp_secret"].is_null()) return conflict("TOTP is already enabled; disable it first");
    std::string secret = random_bytes(20);
    tx.exec_prepared("user_set_totp_pending", user_id,
                     seal_at_rest(cfg.at_rest_key, totp_label(user_id), secret));
    auto u = tx.exec_prepared("user_by_id", user_id);
    return TotpEnrollment{base32_encode(secret), totp_uri(secret, u[0]["email"].as<std::string>())};
}

// Shared by verify and disable: opens the sealed secret in `column` and matches `code`.
static Result<int64_t> match_stored_code(pqxx::work &tx, const Config &cfg, const std::string &user_id,
                                         const char *column, const std::string &code) {
    auto r = tx.exec_prepared("user_totp_for_update", user_id);
    if (r.empty()) return not_found("no such user");
    if (r[0][column].is_null())
        return conflict(std::string(column) == "totp_pending" ? "no TOTP enrollment is pending"
                                                              : "TOTP is not enabled");
    auto secret = open_at_rest(cfg.at_rest_key, totp_label(user_id), r[0][column].as<std::string>());
    if (!secret) return internal("stored TOTP secret cannot be opened (wrong at_rest_key?)");
    auto step = totp_match(*secret, code, now_ms() / 1000, r[0]["totp_last_step"].as<int64_t>());
    if (!step) return bad_request("invalid or already used TOTP code");
    return *step;
}

// A code attempt at /auth/2fa/verify or /disable: the account's login backoff applies
// first (fails closed without Redis), and a wrong code counts as a failed login, so a
// stolen session guesses no faster than a login would. A right code clears the count
// after commit, as a successful login does.
static Result<int64_t> attempt_code(Tx &tx, Redis &redis, const Config &cfg, const std::string &user_id,
                                    const std::string &email, const char *column, const std::string &code) {
    int64_t now = now_ms();
    std::string fkey = failures_key(cfg, email);
    auto backoff = check_backoff(redis, cfg, fkey, now);
    if (!backoff) return backoff.error();
    auto step = match_stored_code(tx, cfg, user_id, column, code);
    if (!step) {
        if (step.error().status == 400) record_failure(redis, fkey, cfg, now);
        return step;
    }
    clear_failures_after_commit(tx, redis, fkey);
    return step;
}

Status totp_verify(Tx &tx, Redis &redis, const Config &cfg, const std::string &user_id, const std::string &email,
                   const std::string &code) {
    auto step = attempt_code(tx, redis, cfg, user_id, email, "totp_pending", code);
    if (!step) return step.error();
    tx.exec_prepared("user_enable_totp", user_id, *step);
    return ok_status();
}

Status totp_disable(Tx &tx, Redis &redis, const Config &cfg, const std::string &user_id, const std::string &email,
                    const std::string &code) {
    auto step = attempt_code(tx, redis, cfg, user_id, email, "totp_secret", code);
    if (!step) return step.error();
    tx.exec_prepared("user_disable_totp", user_id, *step);
    return ok_status();
}

}  // namespace msk
