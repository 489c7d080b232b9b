// The client key hierarchy of DESIGN.md, assembled from the primitives:
//
//   password --Argon2id(kdfSalt)--> Master Key --Argon2id(authSalt)--> authHash
//   Master Key wraps the User Symmetric Key (USK) and the X25519 secret key
//   recovery key wraps the USK (encRecoveryBlob) and the X25519 secret key
//   (encRecoveryPrivateKey); the recovery verifier proves the phrase to the server
//   USK wraps each Workspace Key (WK); a WK is sealed to each invitee
//   WK wraps each Board Key (BK); BK encrypts content on the board
//
// Every key is 32 random bytes from libsodium. Wraps are envelopes with the
// AAD labels of aad.hpp.
#pragma once

#include <string>
#include <vector>

#include "kdf.hpp"
#include "keypair.hpp"
#include "result.hpp"
#include "secret.hpp"

namespace mskanban::crypto {

// Initialise libsodium once; false if it cannot be.
bool init();

// A fresh 32-byte symmetric key (USK, WK or BK).
SecretBytes new_key();

// Everything register sends, plus what the client keeps for the session and
// the phrase it must show once.
struct NewAccount {
    KdfParams kdf;
    std::vector<unsigned char> kdf_salt, auth_salt;  // 16 bytes each
    std::string auth_hash;                           // base64url
    std::string public_key;                          // base64url
    std::string enc_private_key, enc_symmetric_key, enc_recovery_blob;  // envelopes
    std::string enc_recovery_private_key;            // envelope
    std::string recovery_verifier;                   // base64url
    std::string recovery_phrase;                     // show once, then wipe
    SecretBytes master_key;  // to log in right after registering
    SecretBytes usk;
    KeyPair keypair;
    NewAccount() = default;
    NewAccount(NewAccount &&) = default;
    NewAccount &operator=(NewAccount &&) = default;
    ~NewAccount() { wipe_string(recovery_phrase); }
};

Result<NewAccount> create_account(const std::string &password, const KdfParams &kdf);

// Login, step 1: the Master Key and the authHash (base64url) from the password.
struct Unlocked {
    SecretBytes master_key;
    std::string auth_hash;
};
Result<Unlocked> unlock(const std::string &password, const std::vector<unsigned char> &kdf_salt,
                        const std::vector<unsigned char> &auth_salt, const KdfParams &kdf);

// Login, step 2: open the USK and the key pair returned by login. Checks that
// the secret key matches the published public key.
struct AccountKeys {
    SecretBytes usk;
    KeyPair keypair;
};
Result<AccountKeys> open_account_keys(const SecretBytes &master_key,
                                      const std::string &enc_symmetric_key,
                                      const std::string &enc_private_key,
                                      const std::string &public_key_b64);

// Recovery: the USK from the phrase and the stored blob.
Result<SecretBytes> recover_usk(const std::string &phrase, const std::string &enc_recovery_blob);

// A fresh recovery phrase for the account's keys: the phrase (show once), the two wraps
// and the verifier that register, PUT /me/recovery and POST /auth/recovery send.
struct NewRecovery {
    std::string phrase;
    std::string enc_recovery_blob, enc_recovery_private_key;  // envelopes
    std::string verifier;                                     // base64url
    NewRecovery() = default;
    NewRecovery(NewRecovery &&) = default;
    NewRecovery &operator=(NewRecovery &&) = default;
    ~NewRecovery() { wipe_string(phrase); }
};
Result<NewRecovery> new_recovery(const SecretBytes &usk, const SecretBytes &secret_key);

// What a phrase opens (POST /auth/recovery/init's wraps) and the verifier that proves it.
// A wrong phrase fails to decrypt the blob.
struct Recovered {
    AccountKeys keys;
    std::string verifier;  // base64url
};
Result<Recovered> open_recovery(const std::string &phrase, const std::string &enc_recovery_blob,
                                const std::string &enc_recovery_private_key);

// The password half of the hierarchy over existing keys (recovery sets a new password):
// fresh salts, the Master Key and authHash, the USK and secret key wrapped by it.
struct PasswordWrap {
    KdfParams kdf;
    std::vector<unsigned char> kdf_salt, auth_salt;
    std::string auth_hash;                           // base64url
    std::string enc_private_key, enc_symmetric_key;  // envelopes
    SecretBytes master_key;
};
Result<PasswordWrap> wrap_with_password(const std::string &password, const KdfParams &kdf, const SecretBytes &usk,
                                        const SecretBytes &secret_key);

// Workspace and board keys.
Result<std::string> wrap_workspace_key(const SecretBytes &usk, const std::string &ws_id,
                                       const SecretBytes &wk);
Result<SecretBytes> unwrap_workspace_key(const SecretBytes &usk, const std::string &ws_id,
                                         const std::string &env);
Result<std::string> wrap_board_key(const SecretBytes &wk, const std::string &board_id,
                                   const SecretBytes &bk);
Result<SecretBytes> unwrap_board_key(const SecretBytes &wk, const std::string &board_id,
                                     const std::string &env);

// Invitation: seal the WK to the invitee's X25519 public key. The sealed
// plaintext is the 32-byte WK followed by the ASCII label
// "workspace-key:<wsId>", so a sealed key cannot be replayed onto another
// workspace (sealed boxes take no AAD). Result is base64url.
Result<std::string> seal_workspace_key(const std::vector<unsigned char> &invitee_public_key,
                                       const std::string &ws_id, const SecretBytes &wk);
Result<SecretBytes> open_sealed_workspace_key(const KeyPair &kp, const std::string &ws_id,
                                              const std::string &sealed_b64);

// A member row's encWorkspaceKey is either an envelope under the member's USK
// ("v1." prefix) or a sealed box to the member's X25519 key (an invitation).
Result<SecretBytes> open_member_workspace_key(const AccountKeys &keys, const std::string &ws_id,
                                              const std::string &enc_workspace_key);

}  // namespace mskanban::crypto
