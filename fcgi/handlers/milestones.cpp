// /boards/:id/milestones and /milestones/:id: list, create, change and delete a board's
// milestones; PUT /cards/:id/milestone: set or clear a card's milestone.
#include "input.hpp"
#include "kanban_io.hpp"
#include "milestones.hpp"

namespace msk {

namespace {

json_t *milestone_json(const Milestone &m) {
    return json_pack("{s:s, s:s, s:s, s:o, s:b, s:o, s:s, s:s}", "id", m.id.c_str(), "boardId", m.board_id.c_str(),
                     "encName", m.enc_name.c_str(), "dueAt", jstr_or_null(m.due_at), "archived", m.archived,
                     "createdBy", jstr_or_null(m.created_by), "createdAt", m.created_at.c_str(), "updatedAt",
                     m.updated_at.c_str());
}

// Reads {encName (required to create), dueAt (null clears)} and, unless creating, {archived}.
Status read_milestone_fields(const json_t *body, MilestoneChange &m, bool creating) {
    if (creating || json_object_get(body, "encName")) {
        auto name = req_envelope(body, "encName", kSmallEnvelopeBytes);
        if (!name) return name.error();
        m.enc_name = *name;
    }
    auto due = nullable_time(body, "dueAt");
    if (!due) return due.error();
    m.due_at = *due;
    if (!creating) {
        auto archived = opt_bool(body, "archived");
        if (!archived) return archived.error();
        m.archived = *archived;
    }
    return ok_status();
}

// ?archived=1 (or true) includes archived milestones; 0 (or false), the default, leaves them out.
// Conditional: the list shares the board's version (If-None-Match answers 304).
Result<Response> get_milestones(Ctx &ctx) {
    auto q = ctx.req.query_param("archived").value_or("0");
    bool archived = q == "1" || q == "true";
    if (!archived && q != "0" && q != "false") return bad_request("\"archived\" must be 0 or 1");
    auto tag = board_list_tag(ctx, archived ? "milestones-all" : "milestones");
    if (!tag) return tag.error();
    if (!tag->changed) return not_modified(tag->etag);
    auto list = list_milestones(ctx.tx(), ctx.auth->user_id, ctx.req.param("id"), archived);
    if (!list) return list.error();
    json_t *arr = json_array();
    for (const auto &m : *list) json_array_append_new(arr, milestone_json(m));
    return with_etag(wrapped(200, "milestones", arr), tag->etag);
}

// {id?, encName, dueAt?}
Result<Response> post_milestone(Ctx &ctx) {
    auto body = body_object(ctx.req);
    if (!body) return body.error();
    MilestoneChange in;
    auto id = new_object_id(body->get());
    if (!id) return id.error();
    in.id = *id;
    auto st = read_milestone_fields(body->get(), in, true);
    if (!st) return st.error();
    auto m = create_milestone(ctx.tx(), ctx.svc.redis, ctx.auth->user_id, ctx.req.param("id"), in);
    if (!m) return m.error();
    return wrapped(201, "milestone", milestone_json(*m));
}

// Any of {encName, dueAt, archived}.
Result<Response> patch_milestone(Ctx &ctx) {
    auto body = body_object(ctx.req);
    if (!body) return body.error();
    auto any = require_any(body->get(), {"encName", "dueAt", "archived"});
    if (!any) return any.error();
    MilestoneChange in;
    auto st = read_milestone_fields(body->get(), in, false);
    if (!st) return st.error();
    auto m = update_milestone(ctx.tx(), ctx.svc.redis, ctx.auth->user_id, ctx.req.param("id"), in);
    if (!m) return m.error();
    return wrapped(200, "milestone", milestone_json(*m));
}

Result<Response> delete_one(Ctx &ctx) {
    auto st = delete_milestone(ctx.tx(), ctx.svc.redis, ctx.auth->user_id, ctx.req.param("id"));
    if (!st) return st.error();
    return no_content();
}

// {milestoneId: id or null}; answers the card.
Result<Response> put_card_milestone(Ctx &ctx) {
    auto body = body_object(ctx.req);
    if (!body) return body.error();
    auto id = nullable_string(body->get(), "milestoneId", 64);
    if (!id) return id.error();
    if (!id->present) return bad_request("\"milestoneId\" is required (an id, or null to clear)");
    auto c = set_card_milestone(ctx.tx(), ctx.svc.redis, ctx.auth->user_id, ctx.req.param("id"), id->value);
    if (!c) return c.error();
    return wrapped(200, "card", card_json(*c));
}

}  // namespace

std::vector<Route> milestone_routes() {
    return {
        {"GET", "/boards/:id/milestones", get_milestones, Access::session, "read"},
        {"POST", "/boards/:id/milestones", post_milestone, Access::session, "mutation"},
        {"PATCH", "/milestones/:id", patch_milestone, Access::session, "mutation"},
        {"DELETE", "/milestones/:id", delete_one, Access::session, "mutation"},
        {"PUT", "/cards/:id/milestone", put_card_milestone, Access::session, "mutation"},
    };
}

}  // namespace msk
