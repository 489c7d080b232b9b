// /boards/:id/activity: the board's feed, newest first, metadata only, with a cursor.
#include "input.hpp"
#include "kanban_io.hpp"

namespace msk {

namespace {

constexpr int kDefaultPage = 50;
constexpr int kMaxPage = 200;

// ?limit=1..200 (default 50) &before=<nextCursor of the previous page>
Result<Response> get_activity(Ctx &ctx) {
    auto limit = page_limit(ctx.req, kDefaultPage, kMaxPage);
    if (!limit) return limit.error();
    auto page = list_activity(ctx.tx(), ctx.auth->user_id, ctx.req.param("id"), ctx.req.query_param("before"), *limit);
    if (!page) return page.error();
    json_t *arr = json_array();
    for (const auto &e : page->items) json_array_append_new(arr, event_json(e));
    return json_response(200, json_pack("{s:o, s:o}", "activity", arr, "nextCursor", jstr_or_null(page->next_cursor)));
}

}  // namespace

std::vector<Route> activity_routes() {
    return {
        {"GET", "/boards/:id/activity", get_activity, Access::session, "read"},
    };
}

}  // namespace msk
