// Public-key fingerprints (see fingerprint.hpp).
#include "fingerprint.hpp"

#include "crypto/b64url.hpp"
#include "crypto/keypair.hpp"

namespace mskanban::cli {

std::string fingerprint(const std::string &public_key_b64) {
    auto pk = crypto::b64url_decode(public_key_b64);
    return pk ? crypto::public_key_fingerprint(pk.value()) : "";
}

}  // namespace mskanban::cli
