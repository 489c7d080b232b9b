// Envelopes: the one wire format for every encrypted field and wrapped key.
//
//   v1.<nonce>.<ciphertext>     both base64url without padding
//
// nonce: 24 random bytes; ciphertext: XChaCha20-Poly1305 IETF (libsodium's
// crypto_aead_xchacha20poly1305_ietf) of the plaintext under a 32-byte key,
// with the associated data (AAD) that names what the value belongs to (see
// aad.hpp). The AAD is not stored: the reader rebuilds it from the id it asked
// for, so a ciphertext moved to another object fails to decrypt.
#pragma once

#include <string>
#include <vector>

#include "result.hpp"
#include "secret.hpp"

namespace mskanban::crypto {

constexpr std::size_t kNonceBytes = 24;
constexpr std::size_t kTagBytes = 16;

struct EnvelopeParts {
    std::vector<unsigned char> nonce;
    std::vector<unsigned char> ciphertext;
};

// Split and decode an envelope; checks version, nonce size and minimum length.
Result<EnvelopeParts> parse_envelope(const std::string &env);

// Encrypt with a fresh random nonce.
Result<std::string> seal_envelope(const SecretBytes &key, const std::string &aad,
                                  const unsigned char *pt, std::size_t pt_len);
Result<std::string> seal_envelope(const SecretBytes &key, const std::string &aad,
                                  const std::string &plaintext);
// Encrypt with a caller-chosen nonce: for test vectors only.
Result<std::string> seal_envelope_with_nonce(const SecretBytes &key, const std::string &aad,
                                             const unsigned char *pt, std::size_t pt_len,
                                             const std::vector<unsigned char> &nonce);

// Decrypt to bytes kept in a SecretBytes (for wrapped keys) or to a string.
// open_envelope_text also refuses a plaintext that is not strict UTF-8
// (Errc::not_utf8, see utf8.hpp): text fields are bare UTF-8.
Result<SecretBytes> open_envelope(const SecretBytes &key, const std::string &aad,
                                  const std::string &env);
Result<std::string> open_envelope_text(const SecretBytes &key, const std::string &aad,
                                       const std::string &env);

}  // namespace mskanban::crypto
