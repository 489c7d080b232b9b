// /auth/2fa: TOTP enrollment, verification (which enables it) and disabling.
#include "../routes.hpp"
#include "accounts.hpp"
#include "input.hpp"
#include "totp.hpp"

namespace msk {

namespace {

Result<std::string> code_field(const Request &req) {
    auto body = body_object(req);
    if (!body) return body.error();
    auto code = req_string(body->get(), "code", 16);
    if (!code) return code.error();
    if (!is_totp_code(*code)) return bad_request("\"code\" must be 6 digits");
    return code;
}

Result<Response> post_enroll(Ctx &ctx) {
    auto e = totp_enroll(ctx.tx(), ctx.svc.cfg, ctx.auth->user_id);
    if (!e) return e.error();
    return json_response(200, json_pack("{s:s, s:s}", "secret", e->secret_base32.c_str(), "otpauthUri",
                                        e->otpauth_uri.c_str()));
}

Result<Response> post_verify(Ctx &ctx) {
    auto code = code_field(ctx.req);
    if (!code) return code.error();
    auto st = totp_verify(ctx.tx(), ctx.svc.redis, ctx.svc.cfg, ctx.auth->user_id, ctx.auth->email, *code);
    if (!st) return st.error();
    return json_response(200, json_pack("{s:b}", "totpEnabled", 1));
}

Result<Response> post_disable(Ctx &ctx) {
    auto code = code_field(ctx.req);
    if (!code) return code.error();
    auto st = totp_disable(ctx.tx(), ctx.svc.redis, ctx.svc.cfg, ctx.auth->user_id, ctx.auth->email, *code);
    if (!st) return st.error();
    return json_response(200, json_pack("{s:b}", "totpEnabled", 0));
}

}  // namespace

std::vector<Route> totp_routes() {
    return {
        {"POST", "/auth/2fa/enroll", post_enroll, Access::session, "mutation", Replay::never},
        {"POST", "/auth/2fa/verify", post_verify, Access::session, "mutation", Replay::never},
        {"POST", "/auth/2fa/disable", post_disable, Access::session, "mutation", Replay::never},
    };
}

}  // namespace msk
