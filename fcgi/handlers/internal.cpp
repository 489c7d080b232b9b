// /internal: answers for the nginx module's subrequests (never reachable from outside:
// only nginx internal locations set MSKANBAN_INTERNAL). The module routes; the decisions
// are made here, by the same authorization code the REST handlers use.
#include "../routes.hpp"
#include "authz.hpp"
#include "base64url.hpp"
#include "crypto.hpp"
#include "input.hpp"
#include "sessions.hpp"

namespace msk {

namespace {

Response access_headers(const std::string &user_id, const std::string &session_id, const RoomAccess &a) {
    Response r = no_content();
    r.headers = {{"X-MSKanban-User", user_id},
                 {"X-MSKanban-Session", session_id},
                 {"X-MSKanban-Workspace", a.workspace_id},
                 {"X-MSKanban-Board", a.board_id},
                 {"X-MSKanban-Room", a.room},
                 {"X-MSKanban-Role", role_name(a.role)}};
    return r;
}

// GET /internal/authz/board/:id with the client's cookie: may this session watch the board?
Result<Response> get_authz_board(Ctx &ctx) {
    auto a = authorize_room(ctx.tx(), ctx.auth->user_id, "board:" + ctx.req.param("id"));
    if (!a) return a.error();
    return access_headers(ctx.auth->user_id, ctx.auth->session_id, *a);
}

// GET /internal/ws-redeem?t=<ticket>&room=<room>: redeems a one-shot WebSocket ticket.
Result<Response> get_ws_redeem(Ctx &ctx) {
    auto ticket = ctx.req.query_param("t");
    auto room = ctx.req.query_param("room");
    if (!ticket || ticket->size() != 43) return unauthorized("missing or malformed ticket");
    auto reply = ctx.svc.redis.command({"GETDEL", "mskanban:wst:" + hex_encode(sha256(*ticket))});
    if (!reply) return unavailable("tickets are unavailable");
    if (reply->type != REDIS_REPLY_STRING) return unauthorized("ticket unknown, used or expired");
    auto value = parse_object(std::string(reply->str, reply->len));
    if (!value) return internal("stored ticket is not JSON");
    auto get = [&](const char *k) {
        json_t *v = json_object_get(value->get(), k);
        return std::string(json_is_string(v) ? json_string_value(v) : "");
    };
    if (room && !room->empty() && *room != get("room")) return unauthorized("ticket is for another room");
    // The session must still be alive (a logout or revocation since the ticket was
    // issued refuses it); the relay closes the connection when the session would end.
    auto ends = session_end(ctx.tx(), ctx.svc.cfg, get("sessionId"), get("userId"));
    if (!ends) return ends.error();
    // Re-check membership: access may have been removed since the ticket was issued.
    auto a = authorize_room(ctx.tx(), get("userId"), get("room"));
    if (!a) return a.error();
    Response r = access_headers(get("userId"), get("sessionId"), *a);
    r.headers.push_back({"X-MSKanban-Session-Expires", std::to_string(*ends)});
    return r;
}

}  // namespace

std::vector<Route> internal_routes() {
    return {
        {"GET", "/internal/authz/board/:id", get_authz_board, Access::internal_session, nullptr},
        {"GET", "/internal/ws-redeem", get_ws_redeem, Access::internal, nullptr},
    };
}

}  // namespace msk
