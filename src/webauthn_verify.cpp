// WebAuthn verification on libfido2 (signatures, rp id hash, flags, COSE keys) and libcbor
// (the attestationObject map). Every libfido2 and libcbor object is owned by a
// unique_ptr with the library's free function, so an early return leaks nothing.
#include "webauthn_verify.hpp"

#include <cbor.h>
#include <fido.h>
#include <fido/eddsa.h>
#include <fido/es256.h>
#include <fido/rs256.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>

#include "crypto.hpp"
#include "json.hpp"

namespace msk {

namespace {

void library_init() {
    static std::once_flag once;
    std::call_once(once, [] { fido_init(0); });
}

const unsigned char *bytes(const std::string &s) { return reinterpret_cast<const unsigned char *>(s.data()); }

struct CredFree {
    void operator()(fido_cred_t *c) const { fido_cred_free(&c); }
};
struct AssertFree {
    void operator()(fido_assert_t *a) const { fido_assert_free(&a); }
};
struct CborFree {
    void operator()(cbor_item_t *i) const { cbor_decref(&i); }
};
using CredPtr = std::unique_ptr<fido_cred_t, CredFree>;
using AssertPtr = std::unique_ptr<fido_assert_t, AssertFree>;
using CborPtr = std::unique_ptr<cbor_item_t, CborFree>;

Error invalid(const std::string &what) { return bad_request("invalid WebAuthn " + what); }

// The three parts of an attestationObject, or why it is not one.
struct AttestationParts {
    std::string fmt;
    std::string auth_data;
    std::string att_stmt_cbor;  // the attStmt map, re-encoded for libfido2
    size_t att_stmt_size = 0;
    bool has_x5c = false;
};

bool text_is(const cbor_item_t *item, const char *s) {
    return cbor_isa_string(item) && cbor_string_is_definite(item) && cbor_string_length(item) == strlen(s) &&
           memcmp(cbor_string_handle(item), s, strlen(s)) == 0;
}

Result<AttestationParts> split_attestation(const std::string &cbor) {
    struct cbor_load_result res;
    CborPtr root(cbor_load(bytes(cbor), cbor.size(), &res));
    if (!root || res.error.code != CBOR_ERR_NONE || res.read != cbor.size() || !cbor_isa_map(root.get()) ||
        !cbor_map_is_definite(root.get()))
        return invalid("attestationObject: not a CBOR map");
    AttestationParts out;
    bool have_fmt = false, have_auth = false, have_stmt = false;
    struct cbor_pair *pairs = cbor_map_handle(root.get());
    for (size_t i = 0; i < cbor_map_size(root.get()); i++) {
        const cbor_item_t *k = pairs[i].key, *v = pairs[i].value;
        if (text_is(k, "fmt")) {
            if (!cbor_isa_string(v) || !cbor_string_is_definite(v) || cbor_string_length(v) > 32)
                return invalid("attestationObject: fmt");
            out.fmt.assign(reinterpret_cast<const char *>(cbor_string_handle(v)), cbor_string_length(v));
            have_fmt = true;
        } else if (text_is(k, "authData")) {
            if (!cbor_isa_bytestring(v) || !cbor_bytestring_is_definite(v))
                return invalid("attestationObject: authData");
            out.auth_data.assign(reinterpret_cast<const char *>(cbor_bytestring_handle(v)), cbor_bytestring_length(v));
            have_auth = true;
        } else if (text_is(k, "attStmt")) {
            if (!cbor_isa_map(v) || !cbor_map_is_definite(v)) return invalid("attestationObject: attStmt");
            out.att_stmt_size = cbor_map_size(v);
            struct cbor_pair *sp = cbor_map_handle(v);
            for (size_t j = 0; j < out.att_stmt_size; j++)
                if (text_is(sp[j].key, "x5c")) out.has_x5c = true;
            unsigned char *buf = nullptr;
            size_t cap = 0;
            size_t len = cbor_serialize_alloc(v, &buf, &cap);
            if (len == 0) {
                free(buf);
                return internal("could not re-encode attStmt");
            }
            out.att_stmt_cbor.assign(reinterpret_cast<const char *>(buf), len);
            free(buf);
            have_stmt = true;
        }
    }
    if (!have_fmt || !have_auth || !have_stmt) return invalid("attestationObject: fmt, attStmt and authData are required");
    return out;
}

// authenticatorData: rpIdHash (32) | flags (1) | signCount (4) | ...
constexpr size_t kAuthDataMin = 37;
constexpr uint8_t kFlagUp = 0x01;
constexpr uint8_t kFlagUv = 0x04;

bool flags_ok(uint8_t flags, bool require_uv) {
    if (!(flags & kFlagUp)) return false;
    return !require_uv || (flags & kFlagUv);
}

}  // namespace

Result<std::string> client_data_challenge(const std::string &client_data_json) {
    auto obj = parse_object(client_data_json);
    if (!obj) return invalid("clientDataJSON: not a JSON object");
    auto ch = req_string(obj->get(), "challenge", 128);
    if (!ch) return invalid("clientDataJSON: no challenge");
    return *ch;
}

Status check_client_data(const std::string &client_data_json, const char *type, const std::string &challenge,
                         const RpPolicy &policy) {
    auto obj = parse_object(client_data_json);
    if (!obj) return invalid("clientDataJSON: not a JSON object");
    const json_t *o = obj->get();
    auto t = req_string(o, "type", 32);
    if (!t || *t != type) return invalid(std::string("clientDataJSON: type must be ") + type);
    auto ch = req_string(o, "challenge", 128);
    if (!ch || !constant_time_equal(*ch, challenge)) return invalid("clientDataJSON: challenge does not match");
    auto origin = req_string(o, "origin", 512);
    bool known = false;
    if (origin)
        for (const auto &allowed : policy.origins) known = known || *origin == allowed;
    if (!known) return invalid("clientDataJSON: origin is not an allowed origin");
    json_t *cross = json_object_get(o, "crossOrigin");
    if (cross && json_is_true(cross)) return invalid("clientDataJSON: cross-origin ceremonies are not accepted");
    return ok_status();
}

Result<NewCredential> verify_registration(const std::string &attestation_object,
                                          const std::string &client_data_json, const RpPolicy &policy) {
    library_init();
    auto parts = split_attestation(attestation_object);
    if (!parts) return parts.error();
    if (parts->fmt != "none" && parts->fmt != "packed")
        return invalid("attestation: format \"" + parts->fmt + "\" is not accepted (none, packed)");
    if (parts->auth_data.size() < kAuthDataMin) return invalid("authData: too short");

    // The authData names its key's algorithm; libfido2 parses it for one type at a time.
    CredPtr cred;
    int alg = 0;
    for (int candidate : {kCoseEs256, kCoseEdDsa, kCoseRs256}) {
        CredPtr c(fido_cred_new());
        if (!c) return internal("out of memory");
        if (fido_cred_set_type(c.get(), candidate) != FIDO_OK) continue;
        if (fido_cred_set_authdata_raw(c.get(), bytes(parts->auth_data), parts->auth_data.size()) == FIDO_OK) {
            cred = std::move(c);
            alg = candidate;
            break;
        }
    }
    if (!cred) return invalid("authData: no attested ES256, EdDSA or RS256 credential");
    fido_cred_t *c = cred.get();
    if (fido_cred_set_clientdata(c, bytes(client_data_json), client_data_json.size()) != FIDO_OK ||
        fido_cred_set_rp(c, policy.rp_id.c_str(), policy.rp_name.c_str()) != FIDO_OK ||
        fido_cred_set_uv(c, policy.require_uv ? FIDO_OPT_TRUE : FIDO_OPT_OMIT) != FIDO_OK ||
        fido_cred_set_fmt(c, parts->fmt.c_str()) != FIDO_OK)
        return internal("could not set up the credential check");

    if (parts->fmt == "none") {
        // No statement to verify: the rp id hash and flags are checked here, as
        // fido_cred_verify would (it requires a signature).
        if (parts->att_stmt_size != 0) return invalid("attestation: \"none\" must have an empty attStmt");
        if (!constant_time_equal(parts->auth_data.substr(0, 32), sha256(policy.rp_id)))
            return invalid("authData: the rp id hash is not this server's");
        if (!flags_ok(fido_cred_flags(c), policy.require_uv))
            return invalid("authData: user presence (or required verification) flag not set");
    } else {
        if (fido_cred_set_attstmt(c, bytes(parts->att_stmt_cbor), parts->att_stmt_cbor.size()) != FIDO_OK)
            return invalid("attestation: packed attStmt is malformed");
        int r = parts->has_x5c ? fido_cred_verify(c) : fido_cred_verify_self(c);
        if (r != FIDO_OK) return invalid(std::string("attestation does not verify (") + fido_strerr(r) + ")");
    }
    NewCredential out;
    out.credential_id.assign(reinterpret_cast<const char *>(fido_cred_id_ptr(c)), fido_cred_id_len(c));
    out.public_key.assign(reinterpret_cast<const char *>(fido_cred_pubkey_ptr(c)), fido_cred_pubkey_len(c));
    if (out.credential_id.empty() || out.credential_id.size() > 1023) return invalid("authData: credential id length");
    if (out.public_key.empty()) return invalid("authData: no public key");
    out.cose_alg = alg;
    out.sign_count = fido_cred_sigcount(c);
    out.fmt = parts->fmt;
    return out;
}

Result<uint32_t> verify_assertion(const std::string &public_key, int cose_alg,
                                  const std::string &authenticator_data, const std::string &client_data_json,
                                  const std::string &signature, const RpPolicy &policy) {
    library_init();
    if (authenticator_data.size() < kAuthDataMin) return invalid("authenticatorData: too short");
    if (signature.empty()) return invalid("signature: empty");
    AssertPtr owner(fido_assert_new());
    if (!owner) return internal("out of memory");
    fido_assert_t *a = owner.get();
    if (fido_assert_set_rp(a, policy.rp_id.c_str()) != FIDO_OK ||
        fido_assert_set_clientdata(a, bytes(client_data_json), client_data_json.size()) != FIDO_OK ||
        fido_assert_set_count(a, 1) != FIDO_OK ||
        fido_assert_set_up(a, FIDO_OPT_TRUE) != FIDO_OK ||
        fido_assert_set_uv(a, policy.require_uv ? FIDO_OPT_TRUE : FIDO_OPT_OMIT) != FIDO_OK)
        return internal("could not set up the assertion check");
    if (fido_assert_set_authdata_raw(a, 0, bytes(authenticator_data), authenticator_data.size()) != FIDO_OK)
        return invalid("authenticatorData: malformed");
    if (fido_assert_set_sig(a, 0, bytes(signature), signature.size()) != FIDO_OK) return invalid("signature");

    int r = FIDO_ERR_INVALID_ARGUMENT;
    if (cose_alg == kCoseEs256) {
        es256_pk_t *pk = es256_pk_new();
        if (pk && es256_pk_from_ptr(pk, public_key.data(), public_key.size()) == FIDO_OK)
            r = fido_assert_verify(a, 0, COSE_ES256, pk);
        es256_pk_free(&pk);
    } else if (cose_alg == kCoseEdDsa) {
        eddsa_pk_t *pk = eddsa_pk_new();
        if (pk && eddsa_pk_from_ptr(pk, public_key.data(), public_key.size()) == FIDO_OK)
            r = fido_assert_verify(a, 0, COSE_EDDSA, pk);
        eddsa_pk_free(&pk);
    } else if (cose_alg == kCoseRs256) {
        rs256_pk_t *pk = rs256_pk_new();
        if (pk && rs256_pk_from_ptr(pk, public_key.data(), public_key.size()) == FIDO_OK)
            r = fido_assert_verify(a, 0, COSE_RS256, pk);
        rs256_pk_free(&pk);
    }
    if (r != FIDO_OK) return unauthorized("the security key's assertion does not verify");
    return fido_assert_sigcount(a, 0);
}

bool sign_count_ok(int64_t stored, uint32_t presented) {
    if (stored == 0 && presented == 0) return true;
    return static_cast<int64_t>(presented) > stored;
}

}  // namespace msk
