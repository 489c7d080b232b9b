// The account as a whole: GET /me/export (everything the server holds about the user,
// streamed; src/account_export.hpp) and DELETE /me (crypto-shred and tombstone;
// src/account_deletion.hpp).
#include "../routes.hpp"
#include "account_deletion.hpp"
#include "account_export.hpp"
#include "base64url.hpp"
#include "input.hpp"
#include "log.hpp"
#include "timeutil.hpp"
#include "webauthn_io.hpp"

namespace msk {

namespace {

// 200 with a Content-Disposition attachment; the body is written by write_export after
// the headers, from its own snapshot transaction on this worker's connection. An error
// after the first piece can only cut the document short (logged).
Result<Response> get_export(Ctx &ctx) {
    Response r;
    std::string day = iso8601_ms(now_ms()).substr(0, 10);
    r.headers.push_back({"Content-Type", "application/json"});
    r.headers.push_back({"Content-Disposition", "attachment; filename=\"mskanban-export-" + day + ".json\""});
    Db &db = ctx.svc.db;
    std::string user_id = ctx.auth->user_id;
    r.stream = [&db, user_id](const std::function<bool(const std::string &)> &sink) {
        try {
            if (!write_export(db.conn(), user_id, sink)) log_warn("export stopped early (client gone or account deleted)");
        } catch (const pqxx::broken_connection &e) {
            db.reset();
            log_error(std::string("export cut short, database connection lost: ") + e.what());
        } catch (const std::exception &e) {
            log_error(std::string("export cut short: ") + e.what());
        }
    };
    return r;
}

Result<Response> delete_me(Ctx &ctx) {
    auto body = body_object(ctx.req);
    if (!body) return body.error();
    const json_t *b = body->get();
    DeletionInput in;
    auto hash = req_b64url_bytes(b, "authHash", 32);
    if (!hash) return hash.error();
    in.auth_hash = *b64url_decode(*hash);
    auto factor = second_factor_fields(b, in.totp, in.webauthn);
    if (!factor) return factor.error();
    auto owned = opt_bool(b, "deleteOwnedWorkspaces");
    if (!owned) return owned.error();
    in.delete_owned_workspaces = owned->value_or(false);
    auto res = delete_account(ctx.tx(), ctx.svc.redis, ctx.svc.cfg, *ctx.auth, in);
    if (!res) return res.error();
    json_t *ids = json_array();
    for (const auto &id : res->deleted_workspaces) json_array_append_new(ids, json_string(id.c_str()));
    return json_response(200, json_pack("{s:b, s:o}", "deleted", 1, "deletedWorkspaces", ids));
}

}  // namespace

std::vector<Route> account_routes() {
    return {
        {"GET", "/me/export", get_export, Access::session, "read"},
        // Rate-limited like login (10 a minute per account) on top of the account's
        // failed-login backoff; never replayed: a retry after success finds no session.
        {"DELETE", "/me", delete_me, Access::session, "login", Replay::never},
    };
}

}  // namespace msk
