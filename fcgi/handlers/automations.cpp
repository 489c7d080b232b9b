// /boards/:id/automations and /automations/:id: a board's automation rules
// (src/automations.hpp): ciphertext bodies, plaintext trigger type and metadata.
#include "automations.hpp"
#include "input.hpp"
#include "kanban_io.hpp"

namespace msk {

namespace {

constexpr size_t kRuleBytes = 64 * 1024;

json_t *automation_json(const Automation &a) {
    json_error_t err;
    json_t *meta = json_loads(a.trigger_meta.c_str(), 0, &err);
    return json_pack("{s:s, s:s, s:s, s:o, s:s, s:b, s:o, s:s, s:s}", "id", a.id.c_str(), "boardId",
                     a.board_id.c_str(), "trigger", a.trigger.c_str(), "triggerMeta", meta ? meta : json_object(),
                     "encBody", a.enc_body.c_str(), "enabled", a.enabled, "createdBy", jstr_or_null(a.created_by),
                     "createdAt", a.created_at.c_str(), "updatedAt", a.updated_at.c_str());
}

// {trigger, triggerMeta?, encBody, enabled?} (trigger and encBody required to create).
Status read_automation_fields(const json_t *body, AutomationChange &a, bool creating) {
    if (creating || json_object_get(body, "trigger")) {
        auto t = req_string(body, "trigger", 32);
        if (!t) return t.error();
        if (!is_automation_trigger(*t))
            return bad_request(std::string("\"trigger\" must be one of ") + kAutomationTriggers);
        a.trigger = *t;
    }
    if (json_t *m = json_object_get(body, "triggerMeta")) {
        if (!json_is_object(m)) return bad_request("\"triggerMeta\" must be an object");
        a.trigger_meta = dump(m);
    }
    if (creating || json_object_get(body, "encBody")) {
        auto b = req_envelope(body, "encBody", kRuleBytes);
        if (!b) return b.error();
        a.enc_body = *b;
    }
    auto enabled = opt_bool(body, "enabled");
    if (!enabled) return enabled.error();
    a.enabled = *enabled;
    return ok_status();
}

Result<Response> get_automations(Ctx &ctx) {
    auto list = list_automations(ctx.tx(), ctx.auth->user_id, ctx.req.param("id"));
    if (!list) return list.error();
    json_t *arr = json_array();
    for (const auto &a : *list) json_array_append_new(arr, automation_json(a));
    return wrapped(200, "automations", arr);
}

Result<Response> post_automation(Ctx &ctx) {
    auto body = body_object(ctx.req);
    if (!body) return body.error();
    AutomationChange in;
    auto id = new_object_id(body->get());
    if (!id) return id.error();
    in.id = *id;
    auto st = read_automation_fields(body->get(), in, true);
    if (!st) return st.error();
    auto a = create_automation(ctx.tx(), ctx.svc.redis, ctx.auth->user_id, ctx.req.param("id"), in);
    if (!a) return a.error();
    return wrapped(201, "automation", automation_json(*a));
}

Result<Response> patch_automation(Ctx &ctx) {
    auto body = body_object(ctx.req);
    if (!body) return body.error();
    auto any = require_any(body->get(), {"trigger", "triggerMeta", "encBody", "enabled"});
    if (!any) return any.error();
    AutomationChange in;
    auto st = read_automation_fields(body->get(), in, false);
    if (!st) return st.error();
    auto a = update_automation(ctx.tx(), ctx.svc.redis, ctx.auth->user_id, ctx.req.param("id"), in);
    if (!a) return a.error();
    return wrapped(200, "automation", automation_json(*a));
}

Result<Response> delete_one(Ctx &ctx) {
    auto st = delete_automation(ctx.tx(), ctx.svc.redis, ctx.auth->user_id, ctx.req.param("id"));
    if (!st) return st.error();
    return no_content();
}

}  // namespace

std::vector<Route> automation_routes() {
    return {
        {"GET", "/boards/:id/automations", get_automations, Access::session, "read"},
        {"POST", "/boards/:id/automations", post_automation, Access::session, "mutation"},
        {"PATCH", "/automations/:id", patch_automation, Access::session, "mutation"},
        {"DELETE", "/automations/:id", delete_one, Access::session, "mutation"},
    };
}

}  // namespace msk
