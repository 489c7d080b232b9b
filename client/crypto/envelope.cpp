// XChaCha20-Poly1305 envelopes (see envelope.hpp).
#include "envelope.hpp"

#include <sodium.h>

#include "b64url.hpp"
#include "utf8.hpp"

namespace mskanban::crypto {

Result<EnvelopeParts> parse_envelope(const std::string &env) {
    if (env.compare(0, 3, "v1.") != 0)
        return make_error(Errc::invalid_input, "not a v1 envelope");
    auto dot = env.find('.', 3);
    if (dot == std::string::npos || env.find('.', dot + 1) != std::string::npos)
        return make_error(Errc::invalid_input, "envelope must be v1.<nonce>.<ciphertext>");
    auto nonce = b64url_decode(env.substr(3, dot - 3));
    auto ct = b64url_decode(env.substr(dot + 1));
    if (!nonce || !ct) return make_error(Errc::invalid_input, "envelope is not base64url");
    if (nonce.value().size() != kNonceBytes)
        return make_error(Errc::invalid_input, "envelope nonce is not 24 bytes");
    if (ct.value().size() < kTagBytes)
        return make_error(Errc::invalid_input, "envelope ciphertext shorter than its tag");
    return EnvelopeParts{std::move(nonce.value()), std::move(ct.value())};
}

Result<std::string> seal_envelope_with_nonce(const SecretBytes &key, const std::string &aad,
                                             const unsigned char *pt, std::size_t pt_len,
                                             const std::vector<unsigned char> &nonce) {
    if (key.size() != crypto_aead_xchacha20poly1305_ietf_KEYBYTES)
        return make_error(Errc::invalid_input, "envelope key is not 32 bytes");
    if (nonce.size() != kNonceBytes)
        return make_error(Errc::invalid_input, "envelope nonce is not 24 bytes");
    std::vector<unsigned char> ct(pt_len + kTagBytes);
    unsigned long long ct_len = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        ct.data(), &ct_len, pt, pt_len, reinterpret_cast<const unsigned char *>(aad.data()),
        aad.size(), nullptr, nonce.data(), key.data());
    ct.resize(ct_len);
    return "v1." + b64url_encode(nonce) + "." + b64url_encode(ct);
}

Result<std::string> seal_envelope(const SecretBytes &key, const std::string &aad,
                                  const unsigned char *pt, std::size_t pt_len) {
    std::vector<unsigned char> nonce(kNonceBytes);
    randombytes_buf(nonce.data(), nonce.size());
    return seal_envelope_with_nonce(key, aad, pt, pt_len, nonce);
}

Result<std::string> seal_envelope(const SecretBytes &key, const std::string &aad,
                                  const std::string &plaintext) {
    return seal_envelope(key, aad, reinterpret_cast<const unsigned char *>(plaintext.data()),
                         plaintext.size());
}

Result<SecretBytes> open_envelope(const SecretBytes &key, const std::string &aad,
                                  const std::string &env) {
    if (key.size() != crypto_aead_xchacha20poly1305_ietf_KEYBYTES)
        return make_error(Errc::invalid_input, "envelope key is not 32 bytes");
    auto parts = parse_envelope(env);
    if (!parts) return parts.error();
    const auto &ct = parts.value().ciphertext;
    SecretBytes pt(ct.size() - kTagBytes);
    unsigned long long pt_len = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            pt.data(), &pt_len, nullptr, ct.data(), ct.size(),
            reinterpret_cast<const unsigned char *>(aad.data()), aad.size(),
            parts.value().nonce.data(), key.data()) != 0)
        return make_error(Errc::decrypt_failed,
                          "cannot decrypt (tampered ciphertext, moved value or wrong key)");
    return pt;
}

Result<std::string> open_envelope_text(const SecretBytes &key, const std::string &aad,
                                       const std::string &env) {
    auto pt = open_envelope(key, aad, env);
    if (!pt) return pt.error();
    if (!valid_utf8(pt.value().data(), pt.value().size()))
        return make_error(Errc::not_utf8,
                          "decrypted text is not valid UTF-8 (written by a faulty or hostile client)");
    return std::string(reinterpret_cast<const char *>(pt.value().data()), pt.value().size());
}

}  // namespace mskanban::crypto
