// Account recovery with the recovery phrase (src/recovery.hpp):
//   POST /auth/recovery/init {email}       the wrapped keys the phrase opens (fakes for
//                                          an unknown email)
//   POST /auth/recovery {email, recoveryVerifier, authHash, kdf, kdfSalt, authSalt,
//       encPrivateKey, encSymmetricKey, encRecoveryBlob, encRecoveryPrivateKey,
//       newRecoveryVerifier}               the new password and phrase, in one transaction
//   PUT /me/recovery {authHash, totp?, encRecoveryBlob, encRecoveryPrivateKey,
//       recoveryVerifier}                  a signed-in user sets or rotates the phrase
// The anonymous routes are rate-limited as login is (per address) and share login's
// per-account backoff.
#include "../routes.hpp"
#include "account_io.hpp"
#include "base64url.hpp"
#include "recovery.hpp"
#include "totp.hpp"
#include "webauthn_io.hpp"

namespace msk {

namespace {

Result<Response> post_recovery_init(Ctx &ctx) {
    auto body = body_object(ctx.req);
    if (!body) return body.error();
    auto email = email_field(body->get());
    if (!email) return email.error();
    RecoveryInit init = recovery_init(ctx.tx(), ctx.svc.cfg, *email);
    return json_response(200, json_pack("{s:s, s:s}", "encRecoveryBlob", init.enc_recovery_blob.c_str(),
                                        "encRecoveryPrivateKey", init.enc_recovery_private_key.c_str()));
}

Result<Response> post_recovery(Ctx &ctx) {
    auto body = body_object(ctx.req);
    if (!body) return body.error();
    const json_t *b = body->get();
    RecoverInput in;
    auto email = email_field(b);
    if (!email) return email.error();
    in.email = *email;
    auto proof = req_b64url_bytes(b, "recoveryVerifier", 32);
    if (!proof) return proof.error();
    in.verifier = *b64url_decode(*proof);
    auto auth = req_b64url_bytes(b, "authHash", 32);
    if (!auth) return auth.error();
    in.auth_hash = *b64url_decode(*auth);
    auto keys = password_keys(b);
    if (!keys) return keys.error();
    set_password_keys(in, *keys);
    auto next = recovery_material(b, "newRecoveryVerifier");
    if (!next) return next.error();
    in.next = *next;
    auto user = recover_account(ctx.tx(), ctx.svc.redis, ctx.svc.cfg, in);
    if (!user) return user.error();
    return json_response(200, json_pack("{s:o}", "user", user_json(*user)));
}

Result<Response> put_me_recovery(Ctx &ctx) {
    auto body = body_object(ctx.req);
    if (!body) return body.error();
    const json_t *b = body->get();
    auto auth = req_b64url_bytes(b, "authHash", 32);
    if (!auth) return auth.error();
    std::optional<std::string> totp;
    std::optional<WebauthnAssertion> webauthn;
    auto factor = second_factor_fields(b, totp, webauthn);
    if (!factor) return factor.error();
    auto m = recovery_material(b, "recoveryVerifier");
    if (!m) return m.error();
    auto st = rotate_recovery(ctx.tx(), ctx.svc.redis, ctx.svc.cfg, ctx.auth->user_id, ctx.auth->email,
                              *b64url_decode(*auth), totp, webauthn, *m);
    if (!st) return st.error();
    return no_content();
}

}  // namespace

std::vector<Route> recovery_routes() {
    return {
        {"POST", "/auth/recovery/init", post_recovery_init, Access::anonymous, "login", Replay::never},
        {"POST", "/auth/recovery", post_recovery, Access::anonymous, "login", Replay::never},
        {"PUT", "/me/recovery", put_me_recovery, Access::session, "mutation", Replay::never},
    };
}

}  // namespace msk
