// X25519 key pairs and sealed boxes (see keypair.hpp).
#include "keypair.hpp"

#include <sodium.h>

#include "b64url.hpp"

namespace mskanban::crypto {

std::string public_key_fingerprint(const std::vector<unsigned char> &public_key) {
    if (public_key.size() != kX25519Bytes) return "";
    unsigned char h[16];
    crypto_generichash(h, sizeof h, public_key.data(), public_key.size(), nullptr, 0);
    static const char hex[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < sizeof h; i++) {
        if (i && i % 2 == 0) out += ' ';
        out += hex[h[i] >> 4];
        out += hex[h[i] & 15];
    }
    return out;
}

KeyPair generate_keypair() {
    KeyPair kp;
    kp.public_key.resize(crypto_box_PUBLICKEYBYTES);
    kp.secret_key = SecretBytes(crypto_box_SECRETKEYBYTES);
    crypto_box_keypair(kp.public_key.data(), kp.secret_key.data());
    return kp;
}

Result<KeyPair> keypair_from_secret(const SecretBytes &secret_key) {
    if (secret_key.size() != crypto_box_SECRETKEYBYTES)
        return make_error(Errc::invalid_input, "X25519 secret key is not 32 bytes");
    KeyPair kp;
    kp.public_key.resize(crypto_box_PUBLICKEYBYTES);
    kp.secret_key = secret_key.clone();
    if (crypto_scalarmult_base(kp.public_key.data(), kp.secret_key.data()) != 0)
        return make_error(Errc::internal, "X25519 base multiplication failed");
    return kp;
}

Result<std::string> seal_to(const std::vector<unsigned char> &public_key,
                            const SecretBytes &message) {
    if (public_key.size() != crypto_box_PUBLICKEYBYTES)
        return make_error(Errc::invalid_input, "X25519 public key is not 32 bytes");
    std::vector<unsigned char> out(message.size() + crypto_box_SEALBYTES);
    if (crypto_box_seal(out.data(), message.data(), message.size(), public_key.data()) != 0)
        return make_error(Errc::internal, "crypto_box_seal failed");
    return b64url_encode(out);
}

Result<SecretBytes> open_sealed(const KeyPair &kp, const std::string &sealed_b64) {
    auto ct = b64url_decode(sealed_b64);
    if (!ct) return make_error(Errc::invalid_input, "sealed box is not base64url");
    if (ct.value().size() < crypto_box_SEALBYTES)
        return make_error(Errc::invalid_input, "sealed box too short");
    SecretBytes out(ct.value().size() - crypto_box_SEALBYTES);
    if (crypto_box_seal_open(out.data(), ct.value().data(), ct.value().size(),
                             kp.public_key.data(), kp.secret_key.data()) != 0)
        return make_error(Errc::decrypt_failed, "cannot open sealed box (not for this key)");
    return out;
}

}  // namespace mskanban::crypto
