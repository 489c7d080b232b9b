// /boards/:id/custom-fields and /custom-fields/:id: define, list, rename, reorder and
// delete a board's custom fields. Values are set through PATCH /cards/:id (cards.cpp).
#include "custom_fields.hpp"
#include "input.hpp"
#include "kanban_io.hpp"

namespace msk {

namespace {

// A dropdown's option list may be longer than a name.
constexpr size_t kOptionsEnvelopeBytes = 16384;

json_t *field_json(const CustomField &f) {
    return json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:s, s:s}", "id", f.id.c_str(), "boardId",
                     f.board_id.c_str(), "type", f.type.c_str(), "encName", f.enc_name.c_str(), "encOptions",
                     jstr_or_null(f.enc_options), "position", f.position.c_str(), "createdBy",
                     jstr_or_null(f.created_by), "createdAt", f.created_at.c_str(), "updatedAt",
                     f.updated_at.c_str());
}

// Reads {type (create), encName, encOptions, afterFieldId, beforeFieldId} into `f`.
Status read_field(const json_t *body, CustomFieldChange &f, bool creating) {
    if (creating) {
        auto type = req_string(body, "type", 16);
        if (!type) return type.error();
        if (!is_custom_field_type(*type)) return bad_request(std::string("\"type\" must be one of ") + kCustomFieldTypes);
        f.type = *type;
    } else if (json_object_get(body, "type")) {
        return bad_request("\"type\" cannot change: the values stored were written for it");
    }
    if (creating || json_object_get(body, "encName")) {
        auto name = req_envelope(body, "encName", kSmallEnvelopeBytes);
        if (!name) return name.error();
        f.enc_name = *name;
    }
    if (json_object_get(body, "encOptions")) {
        auto opts = req_envelope(body, "encOptions", kOptionsEnvelopeBytes);
        if (!opts) return opts.error();
        f.enc_options = *opts;
    }
    if (creating && (f.type == "dropdown") != f.enc_options.has_value())
        return bad_request(f.enc_options ? "\"encOptions\" is only for a dropdown field"
                                         : "a dropdown field needs \"encOptions\"");
    return read_place(body, "afterFieldId", "beforeFieldId", f.after_id, f.before_id, f.move);
}

// Conditional: the list shares the board's version (If-None-Match answers 304).
Result<Response> get_fields(Ctx &ctx) {
    auto tag = board_list_tag(ctx, "custom-fields");
    if (!tag) return tag.error();
    if (!tag->changed) return not_modified(tag->etag);
    auto list = list_custom_fields(ctx.tx(), ctx.auth->user_id, ctx.req.param("id"));
    if (!list) return list.error();
    json_t *arr = json_array();
    for (const auto &f : *list) json_array_append_new(arr, field_json(f));
    return with_etag(wrapped(200, "customFields", arr), tag->etag);
}

// {id?, type, encName, encOptions? (dropdown), afterFieldId?, beforeFieldId?}; at the end by default.
Result<Response> post_field(Ctx &ctx) {
    auto body = body_object(ctx.req);
    if (!body) return body.error();
    CustomFieldChange in;
    auto id = new_object_id(body->get());
    if (!id) return id.error();
    in.id = *id;
    auto st = read_field(body->get(), in, true);
    if (!st) return st.error();
    auto f = create_custom_field(ctx.tx(), ctx.svc.redis, ctx.auth->user_id, ctx.req.param("id"), in,
                                 ctx.svc.cfg.custom_fields_per_board);
    if (!f) return f.error();
    return wrapped(201, "customField", field_json(*f));
}

// Any of {encName, encOptions, afterFieldId, beforeFieldId}.
Result<Response> patch_field(Ctx &ctx) {
    auto body = body_object(ctx.req);
    if (!body) return body.error();
    auto any = require_any(body->get(), {"encName", "encOptions", "afterFieldId", "beforeFieldId", "type"});
    if (!any) return any.error();
    CustomFieldChange in;
    auto st = read_field(body->get(), in, false);
    if (!st) return st.error();
    auto f = update_custom_field(ctx.tx(), ctx.svc.redis, ctx.auth->user_id, ctx.req.param("id"), in);
    if (!f) return f.error();
    return wrapped(200, "customField", field_json(*f));
}

Result<Response> delete_one(Ctx &ctx) {
    auto st = delete_custom_field(ctx.tx(), ctx.svc.redis, ctx.auth->user_id, ctx.req.param("id"));
    if (!st) return st.error();
    return no_content();
}

}  // namespace

std::vector<Route> custom_field_routes() {
    return {
        {"GET", "/boards/:id/custom-fields", get_fields, Access::session, "read"},
        {"POST", "/boards/:id/custom-fields", post_field, Access::session, "mutation"},
        {"PATCH", "/custom-fields/:id", patch_field, Access::session, "mutation"},
        {"DELETE", "/custom-fields/:id", delete_one, Access::session, "mutation"},
    };
}

}  // namespace msk
