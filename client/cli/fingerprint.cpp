// Public-key fingerprints (see fingerprint.hpp).
#include "fingerprint.hpp"

#include <sodium.h>

#include "crypto/b64url.hpp"

namespace mskanban::cli {

std::string fingerprint(const std::string &public_key_b64) {
    auto pk = crypto::b64url_decode(public_key_b64);
    if (!pk || pk.value().size() != 32) return "";
    unsigned char h[16];
    crypto_generichash(h, sizeof h, pk.value().data(), pk.value().size(), nullptr, 0);
    static const char hex[] = "0123456789abcdef";
    std::string out;
    for (size_t i = 0; i < sizeof h; i++) {
        if (i && i % 2 == 0) out += ' ';
        out += hex[h[i] >> 4];
        out += hex[h[i] & 15];
    }
    return out;
}

}  // namespace mskanban::cli
