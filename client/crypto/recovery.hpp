// The recovery phrase: a second way to reach the User Symmetric Key.
//
// Format (decided here, documented in docs/client.md): 32 random bytes of
// entropy plus a 3-byte checksum (the first 3 bytes of BLAKE2b-256 of the
// entropy) = 35 bytes = 280 bits, written as 56 Crockford base32 characters in
// 14 groups of 4 joined by '-', e.g. "7K3M-Q0ZC-...". Parsing ignores case,
// spaces and hyphens and reads O as 0 and I/L as 1; a wrong checksum is
// reported as a typo. Because the entropy is 256 bits, no slow KDF is needed:
//
//   recoveryKey     = BLAKE2b-256(key = entropy, message = "mskanban recovery key v1")
//   encRecoveryBlob = envelope(recoveryKey, AAD "recovery:usk", USK)
//   encRecoveryPrivateKey = envelope(recoveryKey, AAD "recovery:x25519-secret", X25519 sk)
//   recoveryVerifier = BLAKE2b-256(key = entropy, message = "mskanban recovery verifier v1")
//
// The verifier is what POST /auth/recovery sends to prove the phrase; the server keeps
// only an Argon2id hash of it. Its message differs from the key's, so knowing the
// verifier tells nothing about the recovery key.
#pragma once

#include <string>

#include "result.hpp"
#include "secret.hpp"

namespace mskanban::crypto {

constexpr std::size_t kRecoveryEntropyBytes = 32;

// Phrase for the given entropy (32 bytes).
Result<std::string> recovery_phrase_from_entropy(const SecretBytes &entropy);
// Entropy back from a phrase; checks length, alphabet and checksum.
Result<SecretBytes> recovery_entropy_from_phrase(const std::string &phrase);
// The wrapping key derived from the entropy.
Result<SecretBytes> recovery_key(const SecretBytes &entropy);
// The verifier derived from the entropy (32 bytes), independent of the key.
Result<SecretBytes> recovery_verifier(const SecretBytes &entropy);

}  // namespace mskanban::crypto
