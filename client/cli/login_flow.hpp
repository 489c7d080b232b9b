// The login steps that register, login, recover, `recovery rotate` and `2fa webauthn rm`
// share (cmd_auth.cpp).
#pragma once

#include <string>
#include <vector>

#include "context.hpp"
#include "crypto/hierarchy.hpp"
#include "crypto/kdf.hpp"
#include "crypto/secret.hpp"
#include "json.hpp"

namespace mskanban::cli {

// {"algorithm":"argon2id","memoryKiB":..,"iterations":..,"parallelism":..}
Json kdf_json(const crypto::KdfParams &p);
// The fields register and recover send for a password: email, authHash, kdf, kdfSalt,
// authSalt, encPrivateKey and encSymmetricKey.
Json password_body(const std::string &email, const std::string &auth_hash, const crypto::KdfParams &kdf,
                   const std::vector<unsigned char> &kdf_salt, const std::vector<unsigned char> &auth_salt,
                   const std::string &enc_private_key, const std::string &enc_symmetric_key);
// POST /auth/login-init for the salts and KDF parameters, then the password (prompt,
// MSKANBAN_PASSWORD or --password-file) gives the Master Key and authHash. Used by login
// and `recovery rotate`.
Outcome<crypto::Unlocked> unlock_with_password(Ctx &ctx, const std::string &email);
// The TOTP code from --totp or MSKANBAN_TOTP; empty when neither is set.
std::string totp_given(const Ctx &ctx);
// For a step-up (`recovery rotate`, `2fa webauthn rm`): when GET /me says TOTP is on, the
// code from totp_given or the terminal; empty when TOTP is off.
Outcome<std::string> totp_if_enabled(Ctx &ctx);
// POST /auth/login with an authHash; asks for a TOTP code on a terminal when the server
// requires one. Returns the login response.
Outcome<Json> post_login(Ctx &ctx, const std::string &email, const std::string &auth_hash);
// Opens the key bundle of a login response with the Master Key and writes the session file.
Status finish_login(Ctx &ctx, const std::string &email, const crypto::SecretBytes &master_key, const Json &resp);

}  // namespace mskanban::cli
