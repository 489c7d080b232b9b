// Account recovery with the recovery phrase (issue 13; docs/decisions.md "Account
// recovery"). The client derives two independent values from the phrase's entropy: the
// recovery key, which wraps the User Symmetric Key (encRecoveryBlob) and the X25519
// secret key (encRecoveryPrivateKey), and the recovery verifier, which it sends to prove
// possession. The server stores the verifier only as an Argon2id PHC string, like
// authHash, so it can check the phrase without being able to unwrap anything.
//
//   1. recovery_init(email): both wraps; for an unknown email (or an account without a
//      verifier) deterministic fakes of the same shape and length.
//   2. recover_account: the verifier is checked (per-account backoff shared with login,
//      Argon2id even for unknown emails), then in the caller's transaction: new authHash,
//      salts, wrapped keys and recovery material; TOTP off, WebAuthn keys removed; every
//      session revoked (live streams and relays close after commit).
#pragma once

#include <optional>
#include <string>

#include "accounts.hpp"
#include "config.hpp"
#include "db.hpp"
#include "error.hpp"
#include "webauthn.hpp"

namespace msk {

class Redis;

// What the recovery phrase protects, as the client sends it.
struct RecoveryMaterial {
    std::string enc_recovery_blob;         // envelope: USK under the recovery key
    std::string enc_recovery_private_key;  // envelope: X25519 secret key under the recovery key
    std::string verifier;                  // decoded, 32 bytes; stored only as Argon2id
};

struct RecoveryInit {
    std::string enc_recovery_blob, enc_recovery_private_key;
};

struct RecoverInput {
    std::string email;
    std::string verifier;   // decoded; proves the current phrase
    std::string auth_hash;  // decoded; the new password's authHash
    KdfParams kdf;
    std::string kdf_salt, auth_salt, enc_private_key, enc_symmetric_key;
    RecoveryMaterial next;  // the new phrase's material
};

// Step 1. Never fails for a well-formed email (unknown ones get the fakes).
RecoveryInit recovery_init(Tx &tx, const Config &cfg, const std::string &email);
// Step 2. 401 for an unknown email, a missing or wrong verifier (alike); 429 while the
// account waits (login backoff); 503 without Redis.
Result<UserView> recover_account(Tx &tx, Redis &redis, const Config &cfg, const RecoverInput &in);

// Stores (or replaces) an account's recovery material; the verifier is hashed here.
Status store_recovery(Tx &tx, const Config &cfg, const std::string &user_id, const RecoveryMaterial &m);
// PUT /me/recovery: a signed-in user sets or rotates the phrase, proving the password
// (authHash) and the step-up second factor (src/step_up.hpp: a security key's assertion,
// or a TOTP code when TOTP is on), as DELETE /me does: a phrase recovers the account, so
// replacing it must not ask for less than the account's own factors. A wrong authHash or
// factor is a 403 and counts as a failed login of `email`.
Status rotate_recovery(Tx &tx, Redis &redis, const Config &cfg, const std::string &user_id,
                       const std::string &email, const std::string &auth_hash,
                       const std::optional<std::string> &totp, const std::optional<WebauthnAssertion> &webauthn,
                       const RecoveryMaterial &m);

// What recovery does to the second factors, in the caller's transaction: TOTP is turned
// off and every WebAuthn credential removed; the user enrolls again after recovering.
void remove_second_factors(Tx &tx, const std::string &user_id);

}  // namespace msk
