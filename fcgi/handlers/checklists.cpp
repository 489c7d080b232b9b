// /cards/:id/checklists, /checklists/:id and /checklist-items/:id: a card's checklists
// and their items (create, list, rename, reorder, check, move, delete).
#include "checklists.hpp"
#include "input.hpp"
#include "kanban_io.hpp"

namespace msk {

namespace {

json_t *item_json(const ChecklistItem &i) {
    return json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:o, s:s, s:s}", "id", i.id.c_str(), "checklistId",
                     i.checklist_id.c_str(), "cardId", i.card_id.c_str(), "encText", i.enc_text.c_str(), "done",
                     i.done, "position", i.position.c_str(), "createdBy", jstr_or_null(i.created_by), "createdAt",
                     i.created_at.c_str(), "updatedAt", i.updated_at.c_str());
}

json_t *checklist_json(const Checklist &l) {
    json_t *items = json_array();
    for (const auto &i : l.items) json_array_append_new(items, item_json(i));
    return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:s}", "id", l.id.c_str(), "cardId", l.card_id.c_str(),
                     "encTitle", l.enc_title.c_str(), "position", l.position.c_str(), "items", items, "createdBy",
                     jstr_or_null(l.created_by), "createdAt", l.created_at.c_str(), "updatedAt",
                     l.updated_at.c_str());
}

Status read_checklist_fields(const json_t *body, ChecklistChange &c, bool creating) {
    if (creating || json_object_get(body, "encTitle")) {
        auto t = req_envelope(body, "encTitle", kSmallEnvelopeBytes);
        if (!t) return t.error();
        c.enc_title = *t;
    }
    return read_place(body, "afterChecklistId", "beforeChecklistId", c.after_id, c.before_id, c.move);
}

Status read_item_fields(const json_t *body, ItemChange &c, bool creating) {
    if (creating || json_object_get(body, "encText")) {
        auto t = req_envelope(body, "encText", kSmallEnvelopeBytes);
        if (!t) return t.error();
        c.enc_text = *t;
    }
    auto done = opt_bool(body, "done");
    if (!done) return done.error();
    c.done = *done;
    if (!creating) {
        auto to = opt_id_field(body, "toChecklistId");
        if (!to) return to.error();
        c.to_checklist_id = *to;
    }
    return read_place(body, "afterItemId", "beforeItemId", c.after_id, c.before_id, c.move);
}

Result<Response> get_checklists(Ctx &ctx) {
    auto list = list_checklists(ctx.tx(), ctx.auth->user_id, ctx.req.param("id"));
    if (!list) return list.error();
    json_t *arr = json_array();
    for (const auto &l : *list) json_array_append_new(arr, checklist_json(l));
    return wrapped(200, "checklists", arr);
}

// {id?, encTitle, afterChecklistId?, beforeChecklistId?}; at the end by default.
Result<Response> post_checklist(Ctx &ctx) {
    auto body = body_object(ctx.req);
    if (!body) return body.error();
    ChecklistChange in;
    auto id = new_object_id(body->get());
    if (!id) return id.error();
    in.id = *id;
    auto st = read_checklist_fields(body->get(), in, true);
    if (!st) return st.error();
    auto l = create_checklist(ctx.tx(), ctx.svc.redis, ctx.auth->user_id, ctx.req.param("id"), in);
    if (!l) return l.error();
    return wrapped(201, "checklist", checklist_json(*l));
}

// Any of {encTitle, afterChecklistId, beforeChecklistId}.
Result<Response> patch_checklist(Ctx &ctx) {
    auto body = body_object(ctx.req);
    if (!body) return body.error();
    auto any = require_any(body->get(), {"encTitle", "afterChecklistId", "beforeChecklistId"});
    if (!any) return any.error();
    ChecklistChange in;
    auto st = read_checklist_fields(body->get(), in, false);
    if (!st) return st.error();
    auto l = update_checklist(ctx.tx(), ctx.svc.redis, ctx.auth->user_id, ctx.req.param("id"), in);
    if (!l) return l.error();
    return wrapped(200, "checklist", checklist_json(*l));
}

Result<Response> delete_checklist_one(Ctx &ctx) {
    auto st = delete_checklist(ctx.tx(), ctx.svc.redis, ctx.auth->user_id, ctx.req.param("id"));
    if (!st) return st.error();
    return no_content();
}

// {id?, encText, done?, afterItemId?, beforeItemId?}; at the end by default.
Result<Response> post_item(Ctx &ctx) {
    auto body = body_object(ctx.req);
    if (!body) return body.error();
    ItemChange in;
    auto id = new_object_id(body->get());
    if (!id) return id.error();
    in.id = *id;
    auto st = read_item_fields(body->get(), in, true);
    if (!st) return st.error();
    auto i = create_item(ctx.tx(), ctx.svc.redis, ctx.auth->user_id, ctx.req.param("id"), in);
    if (!i) return i.error();
    return wrapped(201, "item", item_json(*i));
}

// Any of {encText, done, toChecklistId, afterItemId, beforeItemId}.
Result<Response> patch_item(Ctx &ctx) {
    auto body = body_object(ctx.req);
    if (!body) return body.error();
    auto any = require_any(body->get(), {"encText", "done", "toChecklistId", "afterItemId", "beforeItemId"});
    if (!any) return any.error();
    ItemChange in;
    auto st = read_item_fields(body->get(), in, false);
    if (!st) return st.error();
    auto i = update_item(ctx.tx(), ctx.svc.redis, ctx.auth->user_id, ctx.req.param("id"), in);
    if (!i) return i.error();
    return wrapped(200, "item", item_json(*i));
}

Result<Response> delete_item_one(Ctx &ctx) {
    auto st = delete_item(ctx.tx(), ctx.svc.redis, ctx.auth->user_id, ctx.req.param("id"));
    if (!st) return st.error();
    return no_content();
}

}  // namespace

std::vector<Route> checklist_routes() {
    return {
        {"GET", "/cards/:id/checklists", get_checklists, Access::session, "read"},
        {"POST", "/cards/:id/checklists", post_checklist, Access::session, "mutation"},
        {"PATCH", "/checklists/:id", patch_checklist, Access::session, "mutation"},
        {"DELETE", "/checklists/:id", delete_checklist_one, Access::session, "mutation"},
        {"POST", "/checklists/:id/items", post_item, Access::session, "mutation"},
        {"PATCH", "/checklist-items/:id", patch_item, Access::session, "mutation"},
        {"DELETE", "/checklist-items/:id", delete_item_one, Access::session, "mutation"},
    };
}

}  // namespace msk
