// Public-key fingerprints, for checking out of band that the server handed
// out the right key: BLAKE2b-128 of the 32-byte X25519 public key, as 8
// groups of 4 hex digits (crypto::public_key_fingerprint). Shown by `whoami`
// and `workspace invite`.
#pragma once

#include <string>

namespace mskanban::cli {

// "" when the key is not 32 bytes of base64url.
std::string fingerprint(const std::string &public_key_b64);

}  // namespace mskanban::cli
