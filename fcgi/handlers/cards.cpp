// /columns/:id/cards, /boards/:id/cards and /cards/:id: create, list, read, change,
// move and delete cards.
#include "input.hpp"
#include "kanban_io.hpp"

namespace msk {

namespace {

// Reads the content and metadata fields shared by create and change into `c`.
Status read_card_fields(const json_t *body, CardChange &c, bool creating) {
    if (creating || json_object_get(body, "encTitle")) {
        auto t = req_envelope(body, "encTitle", kSmallEnvelopeBytes);
        if (!t) return t.error();
        c.enc_title = *t;
    }
    json_t *desc = json_object_get(body, "encDescription");
    if (desc) {
        c.enc_description.present = true;
        if (!json_is_null(desc)) {
            auto d = req_envelope(body, "encDescription", kLargeEnvelopeBytes);
            if (!d) return d.error();
            c.enc_description.value = *d;
        }
    }
    auto due = nullable_time(body, "dueAt");
    if (!due) return due.error();
    c.due_at = *due;
    auto start = nullable_time(body, "startAt");
    if (!start) return start.error();
    c.start_at = *start;
    return ok_status();
}

Status read_neighbours(const json_t *body, std::optional<std::string> &after, std::optional<std::string> &before) {
    auto a = opt_id_field(body, "afterCardId");
    if (!a) return a.error();
    auto b = opt_id_field(body, "beforeCardId");
    if (!b) return b.error();
    after = *a;
    before = *b;
    return ok_status();
}

// {id?, encTitle, encDescription?, dueAt?, startAt?, afterCardId?, beforeCardId?}
Result<Response> post_card(Ctx &ctx) {
    auto body = body_object(ctx.req);
    if (!body) return body.error();
    CardChange in;
    auto id = new_object_id(body->get());
    if (!id) return id.error();
    in.id = *id;
    auto st = read_card_fields(body->get(), in, true);
    if (!st) return st.error();
    st = read_neighbours(body->get(), in.after_id, in.before_id);
    if (!st) return st.error();
    auto c = create_card(ctx.tx(), ctx.svc.redis, ctx.auth->user_id, ctx.req.param("id"), in);
    if (!c) return c.error();
    return wrapped(201, "card", card_json(*c));
}

// ?archived=false (default) | true (include archived cards) | only
Result<Response> get_cards(Ctx &ctx) {
    auto q = ctx.req.query_param("archived").value_or("false");
    ArchivedFilter f = ArchivedFilter::exclude;
    if (q == "true") f = ArchivedFilter::include;
    else if (q == "only") f = ArchivedFilter::only;
    else if (q != "false") return bad_request("\"archived\" must be false, true or only");
    auto list = list_cards(ctx.tx(), ctx.session_query, ctx.req.param("id"), f, ctx.req.header("if-none-match"));
    if (!list) return list.error();
    if (!list->body) return not_modified(list->etag);
    Response res;
    res.body = std::move(*list->body);
    return with_etag(std::move(res), list->etag);
}

Result<Response> get_one(Ctx &ctx) {
    auto c = get_card(ctx.tx(), ctx.auth->user_id, ctx.req.param("id"));
    if (!c) return c.error();
    return wrapped(200, "card", card_json(*c));
}

// {customFields: {fieldId: envelope | null}}: the values to set or remove, at least one.
Status read_custom_field_values(const json_t *body, CardChange &c) {
    json_t *obj = json_object_get(body, "customFields");
    if (!obj) return ok_status();
    if (!json_is_object(obj) || json_object_size(obj) == 0)
        return bad_request("\"customFields\" must be an object of field ids to envelopes or null");
    const char *field_id;
    json_t *value;
    json_object_foreach(obj, field_id, value) {
        if (!is_valid_id(field_id)) return bad_request("\"customFields\" keys must be custom field ids");
        if (json_is_null(value)) {
            c.custom_fields.emplace_back(field_id, std::nullopt);
            continue;
        }
        auto v = req_envelope(obj, field_id, kSmallEnvelopeBytes);
        if (!v) return bad_request("\"customFields\" values must be envelopes or null: " + v.error().message);
        c.custom_fields.emplace_back(field_id, *v);
    }
    return ok_status();
}

// Any of {encTitle, encDescription, dueAt, startAt (null clears), archived, customFields}.
Result<Response> patch_card(Ctx &ctx) {
    auto body = body_object(ctx.req);
    if (!body) return body.error();
    auto any = require_any(body->get(), {"encTitle", "encDescription", "dueAt", "startAt", "archived", "customFields"});
    if (!any) return any.error();
    CardChange in;
    auto st = read_card_fields(body->get(), in, false);
    if (!st) return st.error();
    st = read_custom_field_values(body->get(), in);
    if (!st) return st.error();
    auto archived = opt_bool(body->get(), "archived");
    if (!archived) return archived.error();
    in.archived = *archived;
    auto c = update_card(ctx.tx(), ctx.svc.redis, ctx.auth->user_id, ctx.req.param("id"), in);
    if (!c) return c.error();
    return wrapped(200, "card", card_json(*c));
}

// {toColumnId, afterCardId?, beforeCardId?}
Result<Response> patch_move(Ctx &ctx) {
    auto body = body_object(ctx.req);
    if (!body) return body.error();
    auto to = opt_id_field(body->get(), "toColumnId");
    if (!to) return to.error();
    if (!*to) return bad_request("\"toColumnId\" is required");
    std::optional<std::string> after, before;
    auto st = read_neighbours(body->get(), after, before);
    if (!st) return st.error();
    auto c = move_card(ctx.tx(), ctx.svc.redis, ctx.auth->user_id, ctx.req.param("id"), **to, after, before);
    if (!c) return c.error();
    return wrapped(200, "card", card_json(*c));
}

Result<Response> delete_one(Ctx &ctx) {
    auto st = delete_card(ctx.tx(), ctx.svc.redis, ctx.auth->user_id, ctx.req.param("id"));
    if (!st) return st.error();
    return no_content();
}

}  // namespace

std::vector<Route> card_routes() {
    return {
        {"POST", "/columns/:id/cards", post_card, Access::session, "mutation"},
        {"GET", "/boards/:id/cards", get_cards, Access::session_in_query, "read"},
        {"GET", "/cards/:id", get_one, Access::session, "read"},
        {"PATCH", "/cards/:id", patch_card, Access::session, "mutation"},
        // A move to a column's end is one statement (src/cards.cpp, move_card).
        {"PATCH", "/cards/:id/move", patch_move, Access::session, "mutation", Replay::store, false, true},
        {"DELETE", "/cards/:id", delete_one, Access::session, "mutation"},
    };
}

}  // namespace msk
