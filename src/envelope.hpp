// Shape checks for client-encrypted fields. The server never decrypts: it only checks
// that a field looks like `v1.<nonce>.<ciphertext>` (base64url, 24-byte XChaCha20 nonce,
// ciphertext at least the 16-byte Poly1305 tag) and fits the size the field allows.
#pragma once

#include <string>
#include <string_view>

namespace msk {

constexpr size_t kEnvelopeNonceBytes = 24;
constexpr size_t kEnvelopeTagBytes = 16;

// Empty string when valid, otherwise why not (for a 400 message).
std::string envelope_problem(std::string_view text, size_t max_ciphertext_bytes);

// A base64url field that must decode to exactly `bytes` bytes; "" when valid.
std::string fixed_b64url_problem(std::string_view text, size_t bytes);

}  // namespace msk
