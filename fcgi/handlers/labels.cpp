// /boards/:id/labels and /labels/:id: list, create, change and delete a board's labels;
// /cards/:id/labels: attach and detach them (idempotent, see src/card_links.hpp).
#include "card_links.hpp"
#include "input.hpp"
#include "kanban_io.hpp"
#include "labels.hpp"

namespace msk {

namespace {

// Reads {encName, colour} (both required to create) into `l`.
Status read_label_fields(const json_t *body, LabelChange &l, bool creating) {
    if (creating || json_object_get(body, "encName")) {
        auto name = req_envelope(body, "encName", kSmallEnvelopeBytes);
        if (!name) return name.error();
        l.enc_name = *name;
    }
    if (creating || json_object_get(body, "colour")) {
        auto c = req_string(body, "colour", 16);
        if (!c) return c.error();
        l.colour = label_colour(*c);
        if (!l.colour) return bad_request(std::string("\"colour\" must be #rrggbb or one of ") + kLabelPalette);
    }
    return ok_status();
}

// Conditional: the label list shares the board's version (If-None-Match answers 304).
Result<Response> get_labels(Ctx &ctx) {
    auto tag = board_list_tag(ctx, "labels");
    if (!tag) return tag.error();
    if (!tag->changed) return not_modified(tag->etag);
    auto list = list_labels(ctx.tx(), ctx.auth->user_id, ctx.req.param("id"));
    if (!list) return list.error();
    json_t *arr = json_array();
    for (const auto &l : *list) json_array_append_new(arr, label_json(l));
    return with_etag(wrapped(200, "labels", arr), tag->etag);
}

// {id?, encName, colour}
Result<Response> post_label(Ctx &ctx) {
    auto body = body_object(ctx.req);
    if (!body) return body.error();
    LabelChange in;
    auto id = new_object_id(body->get());
    if (!id) return id.error();
    in.id = *id;
    auto st = read_label_fields(body->get(), in, true);
    if (!st) return st.error();
    auto l = create_label(ctx.tx(), ctx.svc.redis, ctx.auth->user_id, ctx.req.param("id"), in);
    if (!l) return l.error();
    return wrapped(201, "label", label_json(*l));
}

// Any of {encName, colour}.
Result<Response> patch_label(Ctx &ctx) {
    auto body = body_object(ctx.req);
    if (!body) return body.error();
    auto any = require_any(body->get(), {"encName", "colour"});
    if (!any) return any.error();
    LabelChange in;
    auto st = read_label_fields(body->get(), in, false);
    if (!st) return st.error();
    auto l = update_label(ctx.tx(), ctx.svc.redis, ctx.auth->user_id, ctx.req.param("id"), in);
    if (!l) return l.error();
    return wrapped(200, "label", label_json(*l));
}

Result<Response> delete_one(Ctx &ctx) {
    auto st = delete_label(ctx.tx(), ctx.svc.redis, ctx.auth->user_id, ctx.req.param("id"));
    if (!st) return st.error();
    return no_content();
}

// POST {labelId}; DELETE {labelId} or ?labelId=. Both answer the card.
Result<Response> link_label(Ctx &ctx, bool attach) {
    auto other = link_target(ctx.req, kCardLabel.field, !attach);
    if (!other) return other.error();
    auto c = set_card_link(ctx.tx(), ctx.svc.redis, ctx.auth->user_id, ctx.req.param("id"), *other, kCardLabel,
                           attach);
    if (!c) return c.error();
    return wrapped(200, "card", card_json(*c));
}

Result<Response> post_card_label(Ctx &ctx) { return link_label(ctx, true); }
Result<Response> delete_card_label(Ctx &ctx) { return link_label(ctx, false); }

}  // namespace

std::vector<Route> label_routes() {
    return {
        {"GET", "/boards/:id/labels", get_labels, Access::session, "read"},
        {"POST", "/boards/:id/labels", post_label, Access::session, "mutation"},
        {"PATCH", "/labels/:id", patch_label, Access::session, "mutation"},
        {"DELETE", "/labels/:id", delete_one, Access::session, "mutation"},
        {"POST", "/cards/:id/labels", post_card_label, Access::session, "mutation"},
        {"DELETE", "/cards/:id/labels", delete_card_label, Access::session, "mutation"},
    };
}

}  // namespace msk
