// /auth: login-init, register, login, logout and WebSocket tickets.
#include "../routes.hpp"
#include "accounts.hpp"
#include "authz.hpp"
#include "base64url.hpp"
#include "crypto.hpp"
#include "input.hpp"
#include "log.hpp"
#include "totp.hpp"

namespace msk {

namespace {

constexpr int kTicketSeconds = 30;

Result<std::string> email_field(const json_t *body) {
    auto raw = req_string(body, "email", 254);
    if (!raw) return raw.error();
    std::string email = normalize_email(*raw);
    if (email.empty()) return bad_request("\"email\" is not a valid email address");
    return email;
}

// The email and authHash every credential request carries.
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

// The client's KDF parameters: argon2id with exactly the server's parameters (or none sent).
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

json_t *user_json(const UserView &u) {
    return json_pack("{s:s, s:s, s:s, s:b}", "id", u.id.c_str(), "email", u.email.c_str(), "createdAt",
                     u.created_at.c_str(), "totpEnabled", u.totp_enabled);
}

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
    auto kdf = kdf_field(b);
    if (!kdf) return kdf.error();
    in.kdf = *kdf;
    struct {
        const char *name;
        std::string *out;
        size_t bytes;
    } fixed[] = {{"kdfSalt", &in.kdf_salt, 16}, {"authSalt", &in.auth_salt, 16}, {"publicKey", &in.public_key, 32}};
    for (auto &f : fixed) {
        auto v = req_b64url_bytes(b, f.name, f.bytes);
        if (!v) return v.error();
        *f.out = *v;
    }
    struct {
        const char *name;
        std::string *out;
    } envelopes[] = {{"encPrivateKey", &in.enc_private_key},
                     {"encSymmetricKey", &in.enc_symmetric_key},
                     {"encRecoveryBlob", &in.enc_recovery_blob}};
    for (auto &f : envelopes) {
        auto v = req_envelope(b, f.name, kSmallEnvelopeBytes);
        if (!v) return v.error();
        *f.out = *v;
    }
    auto user = register_user(ctx.tx(), ctx.svc.cfg, in);
    if (!user) return user.error();
    return json_response(201, json_pack("{s:o}", "user", user_json(*user)));
}

Result<Response> post_login(Ctx &ctx) {
    auto body = body_object(ctx.req);
    if (!body) return body.error();
    const json_t *b = body->get();
    LoginInput in;
    auto creds = credentials(b, in.email, in.auth_hash);
    if (!creds) return creds.error();
    auto totp = opt_string(b, "totp", 16);
    if (!totp) return totp.error();
    if (*totp && !is_totp_code(**totp)) return bad_request("\"totp\" must be 6 digits");
    in.totp = *totp;
    in.ip = ctx.req.remote_addr;
    in.user_agent = ctx.req.header("user-agent");
    auto res = login(ctx.tx(), ctx.svc.redis, ctx.svc.cfg, in);
    if (!res) return res.error();
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
