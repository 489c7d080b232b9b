// libsodium and libargon2 behind small functions with value semantics.
#include "crypto.hpp"

#include <argon2.h>
#include <sodium.h>

#include <vector>

#include "base64url.hpp"

namespace msk {

bool crypto_init() { return sodium_init() >= 0; }

std::string random_bytes(size_t n) {
    std::string out(n, '\0');
    randombytes_buf(out.data(), n);
    return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    if (a.empty()) return true;
    return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string sha256(std::string_view data) {
    unsigned char out[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(out, reinterpret_cast<const unsigned char *>(data.data()), data.size());
    return std::string(reinterpret_cast<char *>(out), sizeof out);
}

std::string hmac_sha256(std::string_view key, std::string_view message) {
    unsigned char out[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char *>(key.data()), key.size());
    crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char *>(message.data()),
                                  message.size());
    crypto_auth_hmacsha256_final(&st, out);
    return std::string(reinterpret_cast<char *>(out), sizeof out);
}

std::optional<std::string> server_hash(std::string_view auth_hash, const Argon2Params &p) {
    std::string salt = random_bytes(16);
    size_t len = argon2_encodedlen(p.iterations, p.memory_kib, p.parallelism, salt.size(), 32,
                                   Argon2_id);
    std::vector<char> encoded(len);
    int rc = argon2id_hash_encoded(p.iterations, p.memory_kib, p.parallelism, auth_hash.data(),
                                   auth_hash.size(), salt.data(), salt.size(), 32, encoded.data(),
                                   encoded.size());
    if (rc != ARGON2_OK) return std::nullopt;
    return std::string(encoded.data());
}

bool server_verify(const std::string &encoded, std::string_view auth_hash) {
    return argon2id_verify(encoded.c_str(), auth_hash.data(), auth_hash.size()) == ARGON2_OK;
}

std::string seal_at_rest(std::string_view key, std::string_view label, std::string_view plaintext) {
    std::string nonce = random_bytes(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    std::string ct(plaintext.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
    unsigned long long ct_len = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        reinterpret_cast<unsigned char *>(ct.data()), &ct_len,
        reinterpret_cast<const unsigned char *>(plaintext.data()), plaintext.size(),
        reinterpret_cast<const unsigned char *>(label.data()), label.size(), nullptr,
        reinterpret_cast<const unsigned char *>(nonce.data()),
        reinterpret_cast<const unsigned char *>(key.data()));
    ct.resize(ct_len);
    return "v1." + b64url_encode(nonce) + "." + b64url_encode(ct);
}

std::optional<std::string> open_at_rest(std::string_view key, std::string_view label,
                                        std::string_view sealed) {
    if (sealed.substr(0, 3) != "v1.") return std::nullopt;
    auto rest = sealed.substr(3);
    auto dot = rest.find('.');
    if (dot == std::string_view::npos) return std::nullopt;
    auto nonce = b64url_decode(rest.substr(0, dot));
    auto ct = b64url_decode(rest.substr(dot + 1));
    if (!nonce || !ct || nonce->size() != crypto_aead_xchacha20poly1305_ietf_NPUBBYTES ||
        ct->size() < crypto_aead_xchacha20poly1305_ietf_ABYTES)
        return std::nullopt;
    std::string pt(ct->size() - crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
    unsigned long long pt_len = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            reinterpret_cast<unsigned char *>(pt.data()), &pt_len, nullptr,
            reinterpret_cast<const unsigned char *>(ct->data()), ct->size(),
            reinterpret_cast<const unsigned char *>(label.data()), label.size(),
            reinterpret_cast<const unsigned char *>(nonce->data()),
            reinterpret_cast<const unsigned char *>(key.data())) != 0)
        return std::nullopt;
    pt.resize(pt_len);
    return pt;
}

}  // namespace msk
