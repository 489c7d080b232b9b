// Password-based key derivation: the first two levels of the key hierarchy.
//
//   masterKey = Argon2id(password UTF-8, kdfSalt, params, 32 bytes)   never sent
//   authHash  = Argon2id(masterKey,      authSalt, params, 32 bytes)  sent at login
//
// Argon2id v1.3 through libargon2 (libsodium cannot do parallelism 4). The
// parameters come from login-init; limits below keep a hostile server from
// asking the client for absurd work.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "result.hpp"
#include "secret.hpp"

namespace mskanban::crypto {

struct KdfParams {
    uint32_t memory_kib = 65536;
    uint32_t iterations = 3;
    uint32_t parallelism = 4;
};

constexpr std::size_t kKeyBytes = 32;
constexpr std::size_t kSaltBytes = 16;

// Argon2id raw hash of `in` under `salt`; out_len bytes.
Result<SecretBytes> argon2id(const unsigned char *in, std::size_t in_len,
                             const std::vector<unsigned char> &salt, const KdfParams &p,
                             std::size_t out_len = kKeyBytes);

Result<SecretBytes> derive_master_key(const std::string &password,
                                      const std::vector<unsigned char> &kdf_salt,
                                      const KdfParams &p);

Result<SecretBytes> derive_auth_hash(const SecretBytes &master_key,
                                     const std::vector<unsigned char> &auth_salt,
                                     const KdfParams &p);

// Refuse parameters outside sane bounds (8 MiB..1 GiB, 1..10 passes, 1..16 lanes).
Result<bool> check_kdf_params(const KdfParams &p);

}  // namespace mskanban::crypto
