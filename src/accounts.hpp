// Accounts: registration, the login handshake (login-init, login) and TOTP. The server
// never sees a password or the Master Key: it stores Argon2id(authHash) under its own
// salt, the client's KDF salts and parameters, and the client's wrapped keys.
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

struct KdfParams {
    int memory_kib = 65536;
    int iterations = 3;
    int parallelism = 4;
};

struct LoginInit {
    KdfParams kdf;
    std::string kdf_salt;   // base64url
    std::string auth_salt;  // base64url
};

struct RegisterInput {
    std::string email;
    std::string auth_hash;  // decoded, 32 bytes
    KdfParams kdf;
    std::string kdf_salt, auth_salt, public_key;
    std::string enc_private_key, enc_symmetric_key, enc_recovery_blob;
};

struct UserView {
    std::string id, email;
    std::string created_at;  // ISO 8601
    bool totp_enabled = false;
};

struct UserKeys {
    KdfParams kdf;
    std::string kdf_salt, auth_salt, public_key, enc_private_key, enc_symmetric_key;
};

struct LoginInput {
    std::string email;
    std::string auth_hash;  // decoded
    std::optional<std::string> totp;
    std::optional<WebauthnAssertion> webauthn;  // a security key's assertion (src/webauthn.hpp)
    std::string ip;
    std::string user_agent;
};

struct LoginResult {
    UserView user;
    UserKeys keys;
    std::string session_id;
    std::string session_token;  // the cookie value; shown once, stored hashed
    std::string session_expires_at;
    // Set (and no session) when the account has a security key and the request carried
    // neither an assertion nor a TOTP code: the challenge to sign.
    std::optional<WebauthnOffer> webauthn_offer;
};

// Lower-cases and checks an email address (a practical subset of RFC 5321); "" when bad.
std::string normalize_email(const std::string &email);
// Keyed hash used for subjects in Redis (emails, IPs), hex.
std::string keyed_hash(const Config &cfg, const std::string &label, const std::string &value);

Result<LoginInit> login_init(Tx &tx, const Config &cfg, const std::string &email);
Result<UserView> register_user(Tx &tx, const Config &cfg, const RegisterInput &in);
Result<LoginResult> login(Tx &tx, Redis &redis, const Config &cfg, const LoginInput &in);

struct UserDetail {
    UserView user;
    UserKeys keys;
    std::string enc_recovery_blob;
};
Result<UserDetail> get_user(Tx &tx, const std::string &user_id);
// The same from a row with user_by_id's columns (GET /me reads them with its session).
UserDetail user_detail_from(const pqxx::row &r);

struct TotpEnrollment {
    std::string secret_base32;
    std::string otpauth_uri;
};
Result<TotpEnrollment> totp_enroll(Tx &tx, const Config &cfg, const std::string &user_id);
// A wrong code counts as a failed login of `email` (backoff and lock); 429 while the
// account waits, 503 without Redis.
Status totp_verify(Tx &tx, Redis &redis, const Config &cfg, const std::string &user_id, const std::string &email,
                   const std::string &code);
Status totp_disable(Tx &tx, Redis &redis, const Config &cfg, const std::string &user_id, const std::string &email,
                    const std::string &code);

}  // namespace msk
