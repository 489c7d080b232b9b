// Server-side crypto helpers. The server never sees client plaintext; these protect what
// the server itself holds: the second hash of authHash, session tokens (stored hashed),
// secrets at rest (TOTP), keyed hashes (fake salts, IP addresses).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "config.hpp"

namespace msk {

// Must be called once per process before any other function here.
bool crypto_init();

std::string random_bytes(size_t n);
// Constant-time for equal lengths; different lengths compare unequal.
bool constant_time_equal(std::string_view a, std::string_view b);
std::string sha256(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view message);

// Argon2id of the client's authHash under a fresh salt, in the PHC string form.
std::optional<std::string> server_hash(std::string_view auth_hash, const Argon2Params &p);
// Verifies in constant time (libargon2 compares with a constant-time routine).
bool server_verify(const std::string &encoded, std::string_view auth_hash);

// XChaCha20-Poly1305 under the at-rest key; `label` is bound as associated data so a
// value cannot be moved to another column or row.
std::string seal_at_rest(std::string_view key, std::string_view label, std::string_view plaintext);
std::optional<std::string> open_at_rest(std::string_view key, std::string_view label,
                                        std::string_view sealed);

}  // namespace msk
