// Argon2id via libargon2 (see kdf.hpp).
#include "kdf.hpp"

#include <argon2.h>

namespace mskanban::crypto {

Result<bool> check_kdf_params(const KdfParams &p) {
    if (p.memory_kib < 8192 || p.memory_kib > 1048576)
        return make_error(Errc::invalid_input, "KDF memory outside 8 MiB..1 GiB");
    if (p.iterations < 1 || p.iterations > 10)
        return make_error(Errc::invalid_input, "KDF iterations outside 1..10");
    if (p.parallelism < 1 || p.parallelism > 16)
        return make_error(Errc::invalid_input, "KDF parallelism outside 1..16");
    return true;
}

Result<SecretBytes> argon2id(const unsigned char *in, std::size_t in_len,
                             const std::vector<unsigned char> &salt, const KdfParams &p,
                             std::size_t out_len) {
    auto ok = check_kdf_params(p);
    if (!ok) return ok.error();
    if (salt.size() < 8) return make_error(Errc::invalid_input, "KDF salt shorter than 8 bytes");
    SecretBytes out(out_len);
    int rc = argon2id_hash_raw(p.iterations, p.memory_kib, p.parallelism, in, in_len,
                               salt.data(), salt.size(), out.data(), out.size());
    if (rc != ARGON2_OK)
        return make_error(Errc::kdf_failed, std::string("Argon2id: ") + argon2_error_message(rc));
    return out;
}

Result<SecretBytes> derive_master_key(const std::string &password,
                                      const std::vector<unsigned char> &kdf_salt,
                                      const KdfParams &p) {
    return argon2id(reinterpret_cast<const unsigned char *>(password.data()), password.size(),
                    kdf_salt, p);
}

Result<SecretBytes> derive_auth_hash(const SecretBytes &master_key,
                                     const std::vector<unsigned char> &auth_salt,
                                     const KdfParams &p) {
    return argon2id(master_key.data(), master_key.size(), auth_salt, p);
}

}  // namespace mskanban::crypto
