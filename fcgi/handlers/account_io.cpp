// Request fields of the account routes (see account_io.hpp).
#include "account_io.hpp"

#include "base64url.hpp"

namespace msk {

Result<std::string> email_field(const json_t *body) {
    auto raw = req_string(body, "email", 254);
    if (!raw) return raw.error();
    std::string email = normalize_email(*raw);
    if (email.empty()) return bad_request("\"email\" is not a valid email address");
    return email;
}

Status credentials(const json_t *body, std::string &email, std::string &auth_hash) {
    auto e = email_field(body);
    if (!e) return e.error();
    auto h = req_b64url_bytes(body, "authHash", 32);
    if (!h) return h.error();
    email = *e;
    auth_hash = *b64url_decode(*h);
    return ok_status();
}

json_t *kdf_json(const KdfParams &k) {
    return json_pack("{s:s, s:i, s:i, s:i}", "algorithm", "argon2id", "memoryKiB", k.memory_kib,
                     "iterations", k.iterations, "parallelism", k.parallelism);
}

Result<KdfParams> kdf_field(const json_t *body) {
    KdfParams k;
    json_t *v = json_object_get(body, "kdf");
    if (!v || json_is_null(v)) return k;
    if (!json_is_object(v)) return bad_request("\"kdf\" must be an object");
    auto alg = opt_string(v, "algorithm", 16);
    if (!alg) return alg.error();
    if (*alg && **alg != "argon2id") return bad_request("\"kdf.algorithm\" must be argon2id");
    auto m = opt_int(v, "memoryKiB", 19456, 4 << 20);
    auto t = opt_int(v, "iterations", 2, 64);
    auto p = opt_int(v, "parallelism", 1, 64);
    if (!m) return bad_request("\"kdf.memoryKiB\": " + m.error().message);
    if (!t) return bad_request("\"kdf.iterations\": " + t.error().message);
    if (!p) return bad_request("\"kdf.parallelism\": " + p.error().message);
    if (*m) k.memory_kib = static_cast<int>(**m);
    if (*t) k.iterations = static_cast<int>(**t);
    if (*p) k.parallelism = static_cast<int>(**p);
    // Only the server's parameters: login-init answers an unknown email with them, so an
    // account with any other parameters would be told apart (docs/decisions.md).
    const KdfParams def;
    if (k.memory_kib != def.memory_kib || k.iterations != def.iterations || k.parallelism != def.parallelism)
        return bad_request("\"kdf\" must be argon2id with memoryKiB " + std::to_string(def.memory_kib) +
                           ", iterations " + std::to_string(def.iterations) + ", parallelism " +
                           std::to_string(def.parallelism) + " (the server's parameters)");
    return k;
}

// Each named field into its output: fixed-size base64url, then envelopes.
struct Fixed {
    const char *name;
    std::string *out;
    size_t bytes;
};
struct Wrapped {
    const char *name;
    std::string *out;
};
static Status read_fields(const json_t *b, std::initializer_list<Fixed> fixed, std::initializer_list<Wrapped> envs) {
    for (const auto &f : fixed) {
        auto v = req_b64url_bytes(b, f.name, f.bytes);
        if (!v) return v.error();
        *f.out = *v;
    }
    for (const auto &f : envs) {
        auto v = req_envelope(b, f.name, kSmallEnvelopeBytes);
        if (!v) return v.error();
        *f.out = *v;
    }
    return ok_status();
}

Result<PasswordKeys> password_keys(const json_t *body) {
    PasswordKeys k;
    auto kdf = kdf_field(body);
    if (!kdf) return kdf.error();
    k.kdf = *kdf;
    auto st = read_fields(body, {{"kdfSalt", &k.kdf_salt, 16}, {"authSalt", &k.auth_salt, 16}},
                          {{"encPrivateKey", &k.enc_private_key}, {"encSymmetricKey", &k.enc_symmetric_key}});
    if (!st) return st.error();
    return k;
}

Result<RecoveryMaterial> recovery_material(const json_t *body, const char *verifier_name) {
    RecoveryMaterial m;
    auto st = read_fields(body, {{verifier_name, &m.verifier, 32}},
                          {{"encRecoveryBlob", &m.enc_recovery_blob},
                           {"encRecoveryPrivateKey", &m.enc_recovery_private_key}});
    if (!st) return st.error();
    m.verifier = *b64url_decode(m.verifier);
    return m;
}

json_t *user_json(const UserView &u) {
    return json_pack("{s:s, s:s, s:s, s:b}", "id", u.id.c_str(), "email", u.email.c_str(), "createdAt",
                     u.created_at.c_str(), "totpEnabled", u.totp_enabled);
}

}  // namespace msk
