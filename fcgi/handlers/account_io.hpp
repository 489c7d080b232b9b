// Request fields and response parts of the account routes (/auth/register, /auth/login,
// /auth/recovery, /me/recovery): email, authHash and the client's KDF parameters, each
// failing with a 400 that names the field; the user object of the answers.
#pragma once

#include "accounts.hpp"
#include "input.hpp"
#include "recovery.hpp"

namespace msk {

// "email", normalised (lower case); 400 when it is not a valid address.
Result<std::string> email_field(const json_t *body);
// The email and authHash (decoded, 32 bytes) every credential request carries.
Status credentials(const json_t *body, std::string &email, std::string &auth_hash);
// The client's "kdf": argon2id with exactly the server's parameters (or none sent).
Result<KdfParams> kdf_field(const json_t *body);
// {"algorithm":"argon2id","memoryKiB":..,"iterations":..,"parallelism":..}
json_t *kdf_json(const KdfParams &k);
// What a password protects, as register and recovery send it: "kdf", "kdfSalt" and
// "authSalt" (16 bytes each), "encPrivateKey" and "encSymmetricKey" (envelopes).
struct PasswordKeys {
    KdfParams kdf;
    std::string kdf_salt, auth_salt, enc_private_key, enc_symmetric_key;
};
Result<PasswordKeys> password_keys(const json_t *body);
// Copies them into a RegisterInput or RecoverInput (the same field names).
template <class Input>
void set_password_keys(Input &in, const PasswordKeys &k) {
    in.kdf = k.kdf;
    in.kdf_salt = k.kdf_salt;
    in.auth_salt = k.auth_salt;
    in.enc_private_key = k.enc_private_key;
    in.enc_symmetric_key = k.enc_symmetric_key;
}
// "encRecoveryBlob", "encRecoveryPrivateKey" (envelopes) and the 32-byte verifier named
// `verifier_name` (decoded).
Result<RecoveryMaterial> recovery_material(const json_t *body, const char *verifier_name);
// {"id","email","createdAt","totpEnabled"}
json_t *user_json(const UserView &u);

}  // namespace msk
