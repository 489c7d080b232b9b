// /boards/:id/columns and /columns/:id: list, create, change (name, WIP limit, done
// flag, place) and delete columns.
#include "input.hpp"
#include "kanban_io.hpp"

namespace msk {

namespace {

constexpr int64_t kMaxWipLimit = 10000;

// Reads the fields shared by create and change into `c`.
Status read_column_fields(const json_t *body, ColumnChange &c, bool creating) {
    if (creating || json_object_get(body, "encName")) {
        auto name = req_envelope(body, "encName", kSmallEnvelopeBytes);
        if (!name) return name.error();
        c.enc_name = *name;
    }
    if (json_object_get(body, "wipLimit")) {
        auto w = opt_int(body, "wipLimit", 1, kMaxWipLimit);
        if (!w) return w.error();
        c.wip_limit_set = true;
        c.wip_limit = *w;
    }
    auto done = opt_bool(body, "isDone");
    if (!done) return done.error();
    c.is_done = *done;
    auto after = opt_id_field(body, "afterColumnId");
    if (!after) return after.error();
    auto before = opt_id_field(body, "beforeColumnId");
    if (!before) return before.error();
    c.after_id = *after;
    c.before_id = *before;
    c.move = creating || c.after_id || c.before_id;
    return ok_status();
}

// Conditional: If-None-Match with the current ETag answers 304 (after the access check).
Result<Response> get_columns(Ctx &ctx) {
    auto version = board_lists_version(ctx.tx(), ctx.auth->user_id, ctx.req.param("id"));
    if (!version) return version.error();
    std::string etag = list_etag("columns", "", ctx.req.param("id"), *version);
    if (etag_matches(ctx.req.header("if-none-match"), etag)) return not_modified(etag);
    auto list = list_columns(ctx.tx(), ctx.auth->user_id, ctx.req.param("id"));
    if (!list) return list.error();
    json_t *arr = json_array();
    for (const auto &c : *list) json_array_append_new(arr, column_json(c));
    return with_etag(wrapped(200, "columns", arr), etag);
}

// {id?, encName, wipLimit?, isDone?, afterColumnId?, beforeColumnId?}; at the end by default.
Result<Response> post_column(Ctx &ctx) {
    auto body = body_object(ctx.req);
    if (!body) return body.error();
    ColumnChange in;
    auto id = new_object_id(body->get());
    if (!id) return id.error();
    in.id = *id;
    auto st = read_column_fields(body->get(), in, true);
    if (!st) return st.error();
    auto c = create_column(ctx.tx(), ctx.svc.redis, ctx.auth->user_id, ctx.req.param("id"), in);
    if (!c) return c.error();
    return wrapped(201, "column", column_json(*c));
}

// Any of {encName, wipLimit (null clears), isDone, afterColumnId, beforeColumnId}.
Result<Response> patch_column(Ctx &ctx) {
    auto body = body_object(ctx.req);
    if (!body) return body.error();
    auto any = require_any(body->get(), {"encName", "wipLimit", "isDone", "afterColumnId", "beforeColumnId"});
    if (!any) return any.error();
    ColumnChange in;
    auto st = read_column_fields(body->get(), in, false);
    if (!st) return st.error();
    auto c = update_column(ctx.tx(), ctx.svc.redis, ctx.auth->user_id, ctx.req.param("id"), in);
    if (!c) return c.error();
    return wrapped(200, "column", column_json(*c));
}

// ?moveCardsTo=<columnId> moves the cards; without it a column with cards is kept (409).
Result<Response> delete_one(Ctx &ctx) {
    auto to = ctx.req.query_param("moveCardsTo");
    if (to && to->empty()) to.reset();
    auto d = delete_column(ctx.tx(), ctx.svc.redis, ctx.auth->user_id, ctx.req.param("id"), to);
    if (!d) return d.error();
    return json_response(200, json_pack("{s:s, s:I, s:o}", "deleted", ctx.req.param("id").c_str(), "movedCards",
                                        static_cast<json_int_t>(d->moved_cards), "toColumnId",
                                        jstr_or_null(d->to_column_id)));
}

}  // namespace

std::vector<Route> column_routes() {
    return {
        {"GET", "/boards/:id/columns", get_columns, Access::session, "read"},
        {"POST", "/boards/:id/columns", post_column, Access::session, "mutation"},
        {"PATCH", "/columns/:id", patch_column, Access::session, "mutation"},
        {"DELETE", "/columns/:id", delete_one, Access::session, "mutation"},
    };
}

}  // namespace msk
