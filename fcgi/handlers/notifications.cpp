// /me/notifications: the signed-in user's assignment and mention notifications, newest
// first with a cursor, and marking them read.
#include "../routes.hpp"
#include "input.hpp"
#include "notifications.hpp"

namespace msk {

namespace {

constexpr int kDefaultPage = 50;
constexpr int kMaxPage = 200;

json_t *notification_json(const Notification &n) {
    return json_pack("{s:s, s:s, s:o, s:s, s:s, s:s, s:o, s:s, s:b}", "id", n.id.c_str(), "verb", n.verb.c_str(),
                     "actorId", jstr_or_null(n.actor_id), "workspaceId", n.workspace_id.c_str(), "boardId",
                     n.board_id.c_str(), "cardId", n.card_id.c_str(), "commentId", jstr_or_null(n.comment_id),
                     "createdAt", n.created_at.c_str(), "read", n.read);
}

// ?limit=1..200 (default 50) &before=<nextCursor of the previous page> &unread=1
Result<Response> get_notifications(Ctx &ctx) {
    auto limit = page_limit(ctx.req, kDefaultPage, kMaxPage);
    if (!limit) return limit.error();
    auto unread = ctx.req.query_param("unread").value_or("0");
    if (unread != "0" && unread != "1") return bad_request("\"unread\" must be 0 or 1");
    auto page = list_notifications(ctx.tx(), ctx.auth->user_id, ctx.req.query_param("before"), *limit, unread == "1");
    if (!page) return page.error();
    json_t *arr = json_array();
    for (const auto &n : page->items) json_array_append_new(arr, notification_json(n));
    return json_response(200, json_pack("{s:o, s:o, s:I}", "notifications", arr, "nextCursor",
                                        jstr_or_null(page->next_cursor), "unread",
                                        static_cast<json_int_t>(page->unread)));
}

// {upTo}
Result<Response> post_read(Ctx &ctx) {
    auto body = body_object(ctx.req);
    if (!body) return body.error();
    auto up_to = req_string(body->get(), "upTo", 64);
    if (!up_to) return up_to.error();
    auto unread = mark_notifications_read(ctx.tx(), ctx.auth->user_id, *up_to);
    if (!unread) return unread.error();
    return json_response(200, json_pack("{s:I}", "unread", static_cast<json_int_t>(*unread)));
}

}  // namespace

std::vector<Route> notification_routes() {
    return {
        {"GET", "/me/notifications", get_notifications, Access::session, "read"},
        {"POST", "/me/notifications/read", post_read, Access::session, "mutation"},
    };
}

}  // namespace msk
