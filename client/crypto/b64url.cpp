// Base64url without padding, on top of libsodium's codec (see b64url.hpp).
#include "b64url.hpp"

#include <sodium.h>

namespace mskanban::crypto {

namespace {
constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;

bool alphabet_ok(const std::string &s) {
    for (char c : s) {
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                  (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ok) return false;
    }
    return s.size() % 4 != 1;  // a lone trailing sextet can never be valid
}
}  // namespace

std::string b64url_encode(const unsigned char *p, std::size_t n) {
    std::string out(sodium_base64_encoded_len(n, kVariant), '\0');
    sodium_bin2base64(&out[0], out.size(), p, n, kVariant);
    out.resize(out.size() - 1);  // drop the terminating NUL
    return out;
}

std::string b64url_encode(const std::vector<unsigned char> &v) {
    return b64url_encode(v.data(), v.size());
}

std::string b64url_encode(const SecretBytes &s) { return b64url_encode(s.data(), s.size()); }

Result<std::vector<unsigned char>> b64url_decode(const std::string &s) {
    if (!alphabet_ok(s)) return make_error(Errc::invalid_input, "not base64url without padding");
    std::vector<unsigned char> out(s.size() * 3 / 4 + 3);
    size_t len = 0;
    const char *end = nullptr;
    if (sodium_base642bin(out.data(), out.size(), s.data(), s.size(), nullptr, &len, &end,
                          kVariant) != 0 ||
        end != s.data() + s.size())
        return make_error(Errc::invalid_input, "not base64url without padding");
    out.resize(len);
    return out;
}

Result<SecretBytes> b64url_decode_secret(const std::string &s, std::size_t want) {
    auto r = b64url_decode(s);
    if (!r) return r.error();
    auto &v = r.value();
    if (want && v.size() != want) {
        sodium_memzero(v.data(), v.size());
        return make_error(Errc::invalid_input, "expected " + std::to_string(want) +
                                                   " bytes, got " + std::to_string(v.size()));
    }
    SecretBytes out(v.data(), v.size());
    if (!v.empty()) sodium_memzero(v.data(), v.size());
    return out;
}

}  // namespace mskanban::crypto
