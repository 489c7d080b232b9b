// /auth/webauthn (register begin and finish) and /me/webauthn (list and remove keys, and
// the step-up challenge for DELETE /me, PUT /me/recovery and removing a key);
// also the WebAuthn JSON the login step uses (webauthn_io.hpp). The ceremonies are
// src/webauthn.hpp.
#include "../routes.hpp"
#include "base64url.hpp"
#include "input.hpp"
#include "totp.hpp"
#include "webauthn.hpp"
#include "webauthn_io.hpp"

namespace msk {

namespace {

// A base64url field of at most `max_chars` characters, decoded.
Result<std::string> b64_field(const json_t *obj, const char *name, size_t max_chars) {
    auto text = req_string(obj, name, max_chars);
    if (!text) return text.error();
    auto raw = b64url_decode(*text);
    if (!raw || raw->empty()) return bad_request(std::string("\"") + name + "\" must be non-empty base64url");
    return *raw;
}

const char *alg_name(int alg) {
    switch (alg) {
        case kCoseEs256: return "ES256";
        case kCoseEdDsa: return "EdDSA";
        case kCoseRs256: return "RS256";
        default: return "unknown";
    }
}

json_t *key_json(const WebauthnKey &k) {
    return json_pack("{s:s, s:s, s:I, s:s, s:o}", "id", k.id.c_str(), "algorithm", alg_name(k.cose_alg),
                     "signCount", static_cast<json_int_t>(k.sign_count), "createdAt", k.created_at.c_str(),
                     "lastUsedAt", jstr_or_null(k.last_used_at));
}

json_t *credential_list(const std::vector<std::string> &ids) {
    json_t *list = json_array();
    for (const auto &id : ids) json_array_append_new(list, json_pack("{s:s, s:s}", "type", "public-key", "id", id.c_str()));
    return list;
}

Result<Response> post_register(Ctx &ctx) {
    auto o = webauthn_register_begin(ctx.tx(), ctx.svc.redis, ctx.svc.cfg, ctx.auth->user_id, ctx.auth->email);
    if (!o) return o.error();
    const RpPolicy &p = o->policy;
    json_t *params = json_array();
    for (int alg : {kCoseEs256, kCoseEdDsa, kCoseRs256})
        json_array_append_new(params, json_pack("{s:s, s:i}", "type", "public-key", "alg", alg));
    return json_response(
        200, json_pack("{s:{s:s, s:{s:s, s:s}, s:{s:s, s:s, s:s}, s:o, s:I, s:s, s:o, s:{s:s, s:s}}}", "publicKey",
                       "challenge", o->challenge.c_str(), "rp", "id", p.rp_id.c_str(), "name", p.rp_name.c_str(),
                       "user", "id", o->user_handle.c_str(), "name", o->user_name.c_str(), "displayName",
                       o->user_name.c_str(), "pubKeyCredParams", params, "timeout",
                       static_cast<json_int_t>(o->timeout_ms), "attestation", "none", "excludeCredentials",
                       credential_list(o->exclude), "authenticatorSelection", "userVerification",
                       p.user_verification.c_str(), "residentKey", "discouraged"));
}

Result<Response> post_verify(Ctx &ctx) {
    auto body = body_object(ctx.req);
    if (!body) return body.error();
    auto cd = b64_field(body->get(), "clientDataJSON", 4096);
    if (!cd) return cd.error();
    auto att = b64_field(body->get(), "attestationObject", 16384);
    if (!att) return att.error();
    auto key = webauthn_register_finish(ctx.tx(), ctx.svc.redis, ctx.svc.cfg, ctx.auth->user_id, *cd, *att);
    if (!key) return key.error();
    return json_response(201, json_pack("{s:o}", "credential", key_json(*key)));
}

Result<Response> get_keys(Ctx &ctx) {
    json_t *list = json_array();
    for (const auto &k : webauthn_list(ctx.tx(), ctx.auth->user_id)) json_array_append_new(list, key_json(k));
    return json_response(200, json_pack("{s:o}", "credentials", list));
}

Result<Response> delete_key(Ctx &ctx) {
    const std::string &id = ctx.req.param("id");
    auto ok = check_path_id(id);
    if (!ok) return ok.error();
    // The step-up factor in the body; no body at all is no factor (403 names what is needed).
    std::optional<std::string> totp;
    std::optional<WebauthnAssertion> assertion;
    if (!ctx.req.body.empty()) {
        auto body = body_object(ctx.req);
        if (!body) return body.error();
        auto factor = second_factor_fields(body->get(), totp, assertion);
        if (!factor) return factor.error();
    }
    auto st = webauthn_remove_stepped_up(ctx.tx(), ctx.svc.redis, ctx.svc.cfg, ctx.auth->user_id, ctx.auth->email, id,
                                         totp, assertion);
    if (!st) return st.error();
    return no_content();
}

// A step-up challenge for a sensitive action (DELETE /me): the login offer's shape.
Result<Response> post_step_up_challenge(Ctx &ctx) {
    auto o = webauthn_step_up_offer(ctx.tx(), ctx.svc.redis, ctx.svc.cfg, ctx.auth->user_id);
    if (!o) return o.error();
    return json_response(200, json_pack("{s:o}", "webauthn", webauthn_offer_json(*o)));
}

}  // namespace

Result<std::optional<WebauthnAssertion>> webauthn_assertion_field(const json_t *body) {
    json_t *v = json_object_get(body, "webauthn");
    if (!v || json_is_null(v)) return std::optional<WebauthnAssertion>();
    if (!json_is_object(v)) return bad_request("\"webauthn\" must be an object");
    WebauthnAssertion a;
    struct {
        const char *name;
        std::string *out;
        size_t max_chars;
    } fields[] = {{"credentialId", &a.credential_id, 1400},
                  {"clientDataJSON", &a.client_data_json, 4096},
                  {"authenticatorData", &a.authenticator_data, 2048},
                  {"signature", &a.signature, 1024}};
    for (auto &f : fields) {
        auto raw = b64_field(v, f.name, f.max_chars);
        if (!raw) return bad_request("webauthn: " + raw.error().message);
        *f.out = *raw;
    }
    return std::optional<WebauthnAssertion>(std::move(a));
}

Status second_factor_fields(const json_t *body, std::optional<std::string> &totp,
                            std::optional<WebauthnAssertion> &webauthn) {
    auto code = opt_string(body, "totp", 16);
    if (!code) return code.error();
    if (*code && !is_totp_code(**code)) return bad_request("\"totp\" must be 6 digits");
    auto key = webauthn_assertion_field(body);
    if (!key) return key.error();
    totp = *code;
    webauthn = *key;
    return ok_status();
}

json_t *webauthn_offer_json(const WebauthnOffer &o) {
    return json_pack("{s:s, s:s, s:I, s:s, s:o}", "challenge", o.challenge.c_str(), "rpId", o.policy.rp_id.c_str(),
                     "timeout", static_cast<json_int_t>(o.timeout_ms), "userVerification",
                     o.policy.user_verification.c_str(), "allowCredentials", credential_list(o.allow));
}

std::vector<Route> webauthn_routes() {
    return {
        {"POST", "/auth/webauthn/register", post_register, Access::session, "mutation", Replay::never},
        {"POST", "/auth/webauthn/verify", post_verify, Access::session, "mutation", Replay::never},
        {"GET", "/me/webauthn", get_keys, Access::session, "read", Replay::never},
        {"POST", "/me/webauthn/challenge", post_step_up_challenge, Access::session, "mutation", Replay::never},
        {"DELETE", "/me/webauthn/:id", delete_key, Access::session, "mutation", Replay::store},
    };
}

}  // namespace msk
