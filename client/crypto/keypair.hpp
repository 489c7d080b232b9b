// X25519 key pairs and sealed boxes, for sharing workspace keys.
//
// Each user has one X25519 key pair (libsodium crypto_box). The public key is
// stored in clear on the server; the secret key only wrapped by the Master Key.
// Inviting someone seals the Workspace Key to their public key with
// crypto_box_seal (anonymous sender; 48 bytes of overhead), so only the
// invitee's secret key opens it. Sealed values travel as plain base64url.
#pragma once

#include <string>
#include <vector>

#include "result.hpp"
#include "secret.hpp"

namespace mskanban::crypto {

constexpr std::size_t kX25519Bytes = 32;

struct KeyPair {
    std::vector<unsigned char> public_key;  // 32 bytes
    SecretBytes secret_key;                 // 32 bytes
};

KeyPair generate_keypair();
// Rebuild the public half from a secret key (scalar multiplication by the base).
Result<KeyPair> keypair_from_secret(const SecretBytes &secret_key);

// The fingerprint people compare out of band: BLAKE2b-128 (unkeyed) of the raw
// 32-byte public key, lowercase hex in 8 groups of 4 digits joined by single
// spaces ("adf5 74da ... 9be1"). "" when the key is not 32 bytes.
std::string public_key_fingerprint(const std::vector<unsigned char> &public_key);

// crypto_box_seal to `public_key`; returns base64url.
Result<std::string> seal_to(const std::vector<unsigned char> &public_key,
                            const SecretBytes &message);
// crypto_box_seal_open of a base64url sealed box.
Result<SecretBytes> open_sealed(const KeyPair &kp, const std::string &sealed_b64);

}  // namespace mskanban::crypto
