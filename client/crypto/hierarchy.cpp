// The key hierarchy (see hierarchy.hpp).
#include "hierarchy.hpp"

#include <sodium.h>

#include <algorithm>

#include "aad.hpp"
#include "b64url.hpp"
#include "envelope.hpp"
#include "recovery.hpp"

namespace mskanban::crypto {

bool init() { return sodium_init() >= 0; }

SecretBytes new_key() { return SecretBytes::random(kKeyBytes); }

namespace {
std::vector<unsigned char> random_salt() {
    std::vector<unsigned char> s(kSaltBytes);
    randombytes_buf(s.data(), s.size());
    return s;
}
}  // namespace

Result<Unlocked> unlock(const std::string &password, const std::vector<unsigned char> &kdf_salt,
                        const std::vector<unsigned char> &auth_salt, const KdfParams &kdf) {
    auto mk = derive_master_key(password, kdf_salt, kdf);
    if (!mk) return mk.error();
    auto ah = derive_auth_hash(mk.value(), auth_salt, kdf);
    if (!ah) return ah.error();
    Unlocked u;
    u.master_key = std::move(mk.value());
    u.auth_hash = b64url_encode(ah.value());
    return u;
}

Result<PasswordWrap> wrap_with_password(const std::string &password, const KdfParams &kdf, const SecretBytes &usk,
                                        const SecretBytes &secret_key) {
    PasswordWrap w;
    w.kdf = kdf;
    w.kdf_salt = random_salt();
    w.auth_salt = random_salt();
    auto u = unlock(password, w.kdf_salt, w.auth_salt, kdf);
    if (!u) return u.error();
    w.auth_hash = u.value().auth_hash;
    auto usk_env = seal_envelope(u.value().master_key, aad::user_symmetric_key(), usk.data(), usk.size());
    auto sk_env = seal_envelope(u.value().master_key, aad::user_private_key(), secret_key.data(), secret_key.size());
    if (!usk_env) return usk_env.error();
    if (!sk_env) return sk_env.error();
    w.enc_symmetric_key = usk_env.value();
    w.enc_private_key = sk_env.value();
    w.master_key = std::move(u.value().master_key);
    return w;
}

Result<NewRecovery> new_recovery(const SecretBytes &usk, const SecretBytes &secret_key) {
    SecretBytes entropy = SecretBytes::random(kRecoveryEntropyBytes);
    auto phrase = recovery_phrase_from_entropy(entropy);
    auto rkey = recovery_key(entropy);
    auto verifier = recovery_verifier(entropy);
    if (!phrase) return phrase.error();
    if (!rkey) return rkey.error();
    if (!verifier) return verifier.error();
    auto blob = seal_envelope(rkey.value(), aad::recovery_blob(), usk.data(), usk.size());
    auto sk = seal_envelope(rkey.value(), aad::recovery_private_key(), secret_key.data(), secret_key.size());
    if (!blob) return blob.error();
    if (!sk) return sk.error();
    NewRecovery r;
    r.phrase = std::move(phrase.value());
    r.enc_recovery_blob = blob.value();
    r.enc_recovery_private_key = sk.value();
    r.verifier = b64url_encode(verifier.value());
    return r;
}

Result<NewAccount> create_account(const std::string &password, const KdfParams &kdf) {
    NewAccount a;
    a.usk = new_key();
    a.keypair = generate_keypair();
    a.public_key = b64url_encode(a.keypair.public_key);
    auto w = wrap_with_password(password, kdf, a.usk, a.keypair.secret_key);
    if (!w) return w.error();
    auto rec = new_recovery(a.usk, a.keypair.secret_key);
    if (!rec) return rec.error();
    a.kdf = kdf;
    a.kdf_salt = w.value().kdf_salt;
    a.auth_salt = w.value().auth_salt;
    a.auth_hash = w.value().auth_hash;
    a.enc_symmetric_key = w.value().enc_symmetric_key;
    a.enc_private_key = w.value().enc_private_key;
    a.master_key = std::move(w.value().master_key);
    a.enc_recovery_blob = rec.value().enc_recovery_blob;
    a.enc_recovery_private_key = rec.value().enc_recovery_private_key;
    a.recovery_verifier = rec.value().verifier;
    a.recovery_phrase = std::move(rec.value().phrase);
    return a;
}

Result<AccountKeys> open_account_keys(const SecretBytes &master_key,
                                      const std::string &enc_symmetric_key,
                                      const std::string &enc_private_key,
                                      const std::string &public_key_b64) {
    auto usk = open_envelope(master_key, aad::user_symmetric_key(), enc_symmetric_key);
    if (!usk) return make_error(usk.error().code, "encSymmetricKey: " + usk.error().message);
    auto sk = open_envelope(master_key, aad::user_private_key(), enc_private_key);
    if (!sk) return make_error(sk.error().code, "encPrivateKey: " + sk.error().message);
    if (usk.value().size() != kKeyBytes || sk.value().size() != kX25519Bytes)
        return make_error(Errc::invalid_input, "account keys have the wrong size");
    auto kp = keypair_from_secret(sk.value());
    if (!kp) return kp.error();
    if (b64url_encode(kp.value().public_key) != public_key_b64)
        return make_error(Errc::decrypt_failed,
                          "publicKey does not match the decrypted private key");
    AccountKeys k;
    k.usk = std::move(usk.value());
    k.keypair = std::move(kp.value());
    return k;
}

Result<SecretBytes> recover_usk(const std::string &phrase, const std::string &enc_recovery_blob) {
    auto entropy = recovery_entropy_from_phrase(phrase);
    if (!entropy) return entropy.error();
    auto rkey = recovery_key(entropy.value());
    if (!rkey) return rkey.error();
    return open_envelope(rkey.value(), aad::recovery_blob(), enc_recovery_blob);
}

Result<Recovered> open_recovery(const std::string &phrase, const std::string &enc_recovery_blob,
                                const std::string &enc_recovery_private_key) {
    auto entropy = recovery_entropy_from_phrase(phrase);
    if (!entropy) return entropy.error();
    auto rkey = recovery_key(entropy.value());
    auto verifier = recovery_verifier(entropy.value());
    if (!rkey) return rkey.error();
    if (!verifier) return verifier.error();
    auto usk = open_envelope(rkey.value(), aad::recovery_blob(), enc_recovery_blob);
    if (!usk) return make_error(usk.error().code, "encRecoveryBlob: " + usk.error().message);
    auto sk = open_envelope(rkey.value(), aad::recovery_private_key(), enc_recovery_private_key);
    if (!sk) return make_error(sk.error().code, "encRecoveryPrivateKey: " + sk.error().message);
    if (usk.value().size() != kKeyBytes || sk.value().size() != kX25519Bytes)
        return make_error(Errc::invalid_input, "recovered keys have the wrong size");
    auto kp = keypair_from_secret(sk.value());
    if (!kp) return kp.error();
    Recovered r;
    r.keys.usk = std::move(usk.value());
    r.keys.keypair = std::move(kp.value());
    r.verifier = b64url_encode(verifier.value());
    return r;
}

Result<std::string> wrap_workspace_key(const SecretBytes &usk, const std::string &ws_id,
                                       const SecretBytes &wk) {
    return seal_envelope(usk, aad::workspace_key(ws_id), wk.data(), wk.size());
}

Result<SecretBytes> unwrap_workspace_key(const SecretBytes &usk, const std::string &ws_id,
                                         const std::string &env) {
    auto k = open_envelope(usk, aad::workspace_key(ws_id), env);
    if (k && k.value().size() != kKeyBytes)
        return make_error(Errc::invalid_input, "workspace key is not 32 bytes");
    return k;
}

Result<std::string> wrap_board_key(const SecretBytes &wk, const std::string &board_id,
                                   const SecretBytes &bk) {
    return seal_envelope(wk, aad::board_key(board_id), bk.data(), bk.size());
}

Result<SecretBytes> unwrap_board_key(const SecretBytes &wk, const std::string &board_id,
                                     const std::string &env) {
    auto k = open_envelope(wk, aad::board_key(board_id), env);
    if (k && k.value().size() != kKeyBytes)
        return make_error(Errc::invalid_input, "board key is not 32 bytes");
    return k;
}

Result<std::string> seal_workspace_key(const std::vector<unsigned char> &invitee_public_key,
                                       const std::string &ws_id, const SecretBytes &wk) {
    if (wk.size() != kKeyBytes) return make_error(Errc::invalid_input, "workspace key is not 32 bytes");
    std::string label = aad::workspace_key(ws_id);
    SecretBytes msg(wk.size() + label.size());
    std::copy(wk.data(), wk.data() + wk.size(), msg.data());
    std::copy(label.begin(), label.end(), msg.data() + wk.size());
    return seal_to(invitee_public_key, msg);
}

Result<SecretBytes> open_sealed_workspace_key(const KeyPair &kp, const std::string &ws_id,
                                              const std::string &sealed_b64) {
    auto msg = open_sealed(kp, sealed_b64);
    if (!msg) return msg.error();
    std::string label = aad::workspace_key(ws_id);
    const auto &m = msg.value();
    if (m.size() != kKeyBytes + label.size() ||
        std::string(reinterpret_cast<const char *>(m.data()) + kKeyBytes, label.size()) != label)
        return make_error(Errc::decrypt_failed, "sealed workspace key belongs to another workspace");
    return SecretBytes(m.data(), kKeyBytes);
}

Result<SecretBytes> open_member_workspace_key(const AccountKeys &keys, const std::string &ws_id,
                                              const std::string &enc_workspace_key) {
    Result<SecretBytes> k = enc_workspace_key.compare(0, 3, "v1.") == 0
                                ? unwrap_workspace_key(keys.usk, ws_id, enc_workspace_key)
                                : open_sealed_workspace_key(keys.keypair, ws_id, enc_workspace_key);
    if (k && k.value().size() != kKeyBytes)
        return make_error(Errc::invalid_input, "workspace key is not 32 bytes");
    return k;
}

}  // namespace mskanban::crypto
