// /auth: login-init, register, login, logout and WebSocket tickets.
#include "../routes.hpp"
#include "account_io.hpp"
#include "accounts.hpp"
#include "authz.hpp"
#include "base64url.hpp"
#include "crypto.hpp"
#include "input.hpp"
#include "log.hpp"
#include "totp.hpp"
#include "webauthn_io.hpp"

namespace msk {

namespace {

constexpr int kTicketSeconds = 30;

bool is_loopback(const std::string &addr) {
    return addr.rfind("127.", 0) == 0 || addr == "::1" || addr.rfind("::ffff:127.", 0) == 0;
}

std::string session_cookie(const Ctx &ctx, const std::string &value, long max_age) {
    const Config &cfg = ctx.svc.cfg;
    std::string c = std::string(kSessionCookie) + "=" + value + "; HttpOnly; SameSite=Strict; Path=" +
                    (cfg.base_path.empty() ? "/" : cfg.base_path) + "; Max-Age=" + std::to_string(max_age);
    if (!(cfg.insecure_cookie_on_loopback && is_loopback(ctx.req.remote_addr))) c += "; Secure";
    return c;
}

Result<Response> post_login_init(Ctx &ctx) {
    auto body = body_object(ctx.req);
    if (!body) return body.error();
    auto email = email_field(body->get());
    if (!email) return email.error();
    auto init = login_init(ctx.tx(), ctx.svc.cfg, *email);
    if (!init) return init.error();
    return json_response(200, json_pack("{s:o, s:s, s:s}", "kdf", kdf_json(init->kdf), "kdfSalt",
                                        init->kdf_salt.c_str(), "authSalt", init->auth_salt.c_str()));
}

Result<Response> post_register(Ctx &ctx) {
    auto body = body_object(ctx.req);
    if (!body) return body.error();
    const json_t *b = body->get();
    RegisterInput in;
    auto creds = credentials(b, in.email, in.auth_hash);
    if (!creds) return creds.error();
    auto keys = password_keys(b);
    if (!keys) return keys.error();
    set_password_keys(in, *keys);
    auto pk = req_b64url_bytes(b, "publicKey", 32);
    if (!pk) return pk.error();
    in.public_key = *pk;
    auto blob = req_envelope(b, "encRecoveryBlob", kSmallEnvelopeBytes);
    if (!blob) return blob.error();
    in.enc_recovery_blob = *blob;
    // The recovery verifier (and the private key wrapped by the recovery key) are optional
    // for older clients; without them the account cannot recover until PUT /me/recovery.
    std::optional<RecoveryMaterial> recovery;
    if (json_t *v = json_object_get(b, "recoveryVerifier"); v && !json_is_null(v)) {
        auto m = recovery_material(b, "recoveryVerifier");
        if (!m) return m.error();
        recovery = *m;
    }
    auto user = register_user(ctx.tx(), ctx.svc.cfg, in);
    if (!user) return user.error();
    if (recovery) {
        auto st = store_recovery(ctx.tx(), ctx.svc.cfg, user->id, *recovery);
        if (!st) return st.error();
    }
    return json_response(201, json_pack("{s:o}", "user", user_json(*user)));
}

Result<Response> post_login(Ctx &ctx) {
    auto body = body_object(ctx.req);
    if (!body) return body.error();
    const json_t *b = body->get();
    LoginInput in;
    auto creds = credentials(b, in.email, in.auth_hash);
    if (!creds) return creds.error();
    auto factor = second_factor_fields(b, in.totp, in.webauthn);
    if (!factor) return factor.error();
    in.ip = ctx.req.remote_addr;
    in.user_agent = ctx.req.header("user-agent");
    auto res = login(ctx.tx(), ctx.svc.redis, ctx.svc.cfg, in);
    if (!res) return res.error();
    if (res->webauthn_offer)
        return json_response(401, json_pack("{s:{s:s, s:s}, s:o, s:b}", "error", "code", "WEBAUTHN_REQUIRED", "message",
                                            "a security key is required (or a TOTP code when \"totp\" is true)",
                                            "webauthn", webauthn_offer_json(*res->webauthn_offer), "totp",
                                            res->user.totp_enabled));
    const UserKeys &k = res->keys;
    Response r = json_response(
        200, json_pack("{s:o, s:{s:s, s:s, s:s, s:o, s:s, s:s}, s:{s:s, s:s}}", "user", user_json(res->user),
                       "keys", "publicKey", k.public_key.c_str(), "encPrivateKey", k.enc_private_key.c_str(),
                       "encSymmetricKey", k.enc_symmetric_key.c_str(), "kdf", kdf_json(k.kdf), "kdfSalt",
                       k.kdf_salt.c_str(), "authSalt", k.auth_salt.c_str(), "session", "id",
                       res->session_id.c_str(), "expiresAt", res->session_expires_at.c_str()));
    r.headers.push_back({"Set-Cookie", session_cookie(ctx, res->session_token, ctx.svc.cfg.session_absolute_s)});
    return r;
}

Result<Response> post_logout(Ctx &ctx) {
    auto st = revoke_session(ctx.tx(), ctx.svc.redis, ctx.auth->user_id, ctx.auth->session_id);
    if (!st) return st.error();
    Response r = no_content();
    r.headers.push_back({"Set-Cookie", session_cookie(ctx, "", 0)});
    return r;
}

Result<Response> post_ws_ticket(Ctx &ctx) {
    auto body = body_object(ctx.req);
    if (!body) return body.error();
    auto room = req_string(body->get(), "room", 80);
    if (!room) return room.error();
    auto access = authorize_room(ctx.tx(), ctx.auth->user_id, *room);
    if (!access) return access.error();
    std::string ticket = b64url_encode(random_bytes(32));
    JsonPtr value = own(json_pack("{s:s, s:s, s:s, s:s}", "userId", ctx.auth->user_id.c_str(), "sessionId",
                                  ctx.auth->session_id.c_str(), "room", access->room.c_str(), "workspaceId",
                                  access->workspace_id.c_str()));
    auto ok = ctx.svc.redis.command({"SET", "mskanban:wst:" + hex_encode(sha256(ticket)), dump(value.get()), "EX",
                                     std::to_string(kTicketSeconds), "NX"});
    if (!ok) return unavailable("tickets are unavailable; try again shortly");
    return json_response(201, json_pack("{s:s, s:s, s:i}", "ticket", ticket.c_str(), "room", access->room.c_str(),
                                        "expiresIn", kTicketSeconds));
}

}  // namespace

std::vector<Route> auth_routes() {
    return {
        {"POST", "/auth/login-init", post_login_init, Access::anonymous, "login", Replay::never},
        {"POST", "/auth/register", post_register, Access::anonymous, "register", Replay::never},
        {"POST", "/auth/login", post_login, Access::anonymous, "login", Replay::never},
        {"POST", "/auth/logout", post_logout, Access::session, "mutation", Replay::never},
        {"POST", "/auth/ws-ticket", post_ws_ticket, Access::session, "mutation", Replay::never},
    };
}

}  // namespace msk
