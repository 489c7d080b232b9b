// SecretBytes: wiping and random filling (see secret.hpp).
#include "secret.hpp"

#include <sodium.h>

namespace mskanban::crypto {

void SecretBytes::wipe() {
    if (!bytes_.empty()) sodium_memzero(bytes_.data(), bytes_.size());
}

bool SecretBytes::equals(const SecretBytes &other) const {
    if (size() != other.size()) return false;
    if (size() == 0) return true;
    return sodium_memcmp(data(), other.data(), size()) == 0;
}

SecretBytes SecretBytes::random(std::size_t n) {
    SecretBytes s(n);
    if (n) randombytes_buf(s.data(), n);
    return s;
}

void wipe_string(std::string &s) {
    if (!s.empty()) sodium_memzero(&s[0], s.size());
    s.clear();
}

}  // namespace mskanban::crypto
