// /me: the signed-in user, their wrapped keys, workspace memberships, and sessions.
#include "../routes.hpp"
#include "accounts.hpp"
#include "input.hpp"
#include "kanban_io.hpp"

namespace msk {

namespace {

// One statement: the session, the user and the memberships (Access::session_in_query;
// the by-user form when the session came from the cache).
Result<Response> get_me(Ctx &ctx) {
    const SessionQuery &sq = ctx.session_query;
    auto r = sq.run(ctx.tx(), "me_by_session", "me_by_user");
    auto st = sq.accept(r);
    if (!st) return st.error();
    if (r.empty()) return unauthorized("session expired or invalid");  // by user: no account
    auto d = user_detail_from(r[0]);
    const auto &list = r[0]["workspaces"];
    json_t *workspaces = json_loadb(list.c_str(), list.size(), 0, nullptr);
    if (!json_is_array(workspaces)) {
        json_decref(workspaces);
        return internal();
    }
    const UserKeys &k = d.keys;
    return json_response(
        200, json_pack("{s:{s:s, s:s, s:s, s:b}, s:{s:s, s:s, s:s, s:s, s:{s:s, s:i, s:i, s:i}, s:s, s:s}, s:s, s:o}",
                       "user", "id", d.user.id.c_str(), "email", d.user.email.c_str(), "createdAt",
                       d.user.created_at.c_str(), "totpEnabled", d.user.totp_enabled, "keys", "publicKey",
                       k.public_key.c_str(), "encPrivateKey", k.enc_private_key.c_str(), "encSymmetricKey",
                       k.enc_symmetric_key.c_str(), "encRecoveryBlob", d.enc_recovery_blob.c_str(), "kdf",
                       "algorithm", "argon2id", "memoryKiB", k.kdf.memory_kib, "iterations", k.kdf.iterations,
                       "parallelism", k.kdf.parallelism, "kdfSalt", k.kdf_salt.c_str(), "authSalt",
                       k.auth_salt.c_str(), "sessionId", ctx.auth->session_id.c_str(), "workspaces", workspaces));
}

Result<Response> get_sessions(Ctx &ctx) {
    auto rows = list_sessions(ctx.tx(), ctx.svc.cfg, ctx.auth->user_id);
    if (!rows) return rows.error();
    json_t *list = json_array();
    for (const auto &s : *rows)
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:o, s:b}", "id", s.id.c_str(), "createdAt",
                                              s.created_at.c_str(), "lastSeenAt", s.last_seen_at.c_str(),
                                              "expiresAt", s.expires_at.c_str(), "userAgent",
                                              jstr_or_null(s.user_agent), "current",
                                              s.id == ctx.auth->session_id));
    return json_response(200, json_pack("{s:o}", "sessions", list));
}

Result<Response> delete_session(Ctx &ctx) {
    const std::string &id = ctx.req.param("id");
    auto ok = check_path_id(id);
    if (!ok) return ok.error();
    auto st = revoke_session(ctx.tx(), ctx.svc.redis, ctx.auth->user_id, id);
    if (!st) return st.error();
    return no_content();
}

}  // namespace

std::vector<Route> me_routes() {
    return {
        {"GET", "/me", get_me, Access::session_in_query, "read"},
        {"GET", "/me/sessions", get_sessions, Access::session, "read"},
        {"DELETE", "/me/sessions/:id", delete_session, Access::session, "mutation"},
    };
}

}  // namespace msk
