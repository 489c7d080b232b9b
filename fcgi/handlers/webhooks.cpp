// /boards/:id/webhooks, /webhooks/:id, /webhooks/:id/deliveries and
// /webhooks/deliveries/:id/requeue: a board owner's webhooks (src/webhooks.hpp). The
// secret appears only in the answer to a create or a rotation, so those answers are never
// stored for Idempotency-Key replay.
#include "input.hpp"
#include "kanban_io.hpp"
#include "webhooks.hpp"

namespace msk {

namespace {

constexpr int kDefaultPage = 50;
constexpr int kMaxPage = 200;

json_t *webhook_json(const Webhook &w) {
    json_t *events = json_array();
    for (const auto &e : w.events) json_array_append_new(events, jstr(e));
    json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:b, s:s, s:s}", "id", w.id.c_str(), "boardId", w.board_id.c_str(),
                          "url", w.url.c_str(), "events", events, "enabled", w.enabled, "createdAt",
                          w.created_at.c_str(), "updatedAt", w.updated_at.c_str());
    if (w.secret) json_object_set_new(o, "secret", jstr(*w.secret));
    return o;
}

json_t *delivery_json(const Delivery &d) {
    json_error_t err;
    json_t *attempts = json_loads(d.attempt_log.c_str(), 0, &err);
    json_t *payload = json_loads(d.payload.c_str(), 0, &err);
    return json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:s, s:o, s:o, s:s, s:o, s:o, s:o}", "id", d.id.c_str(),
                     "webhookId", d.webhook_id.c_str(), "verb", d.verb.c_str(), "state", d.state.c_str(), "tries",
                     d.tries, "attemptCount", d.attempts, "nextAttemptAt", d.next_attempt_at.c_str(), "lastStatus",
                     d.last_status ? json_integer(*d.last_status) : json_null(), "lastError",
                     jstr_or_null(d.last_error), "createdAt", d.created_at.c_str(), "completedAt",
                     jstr_or_null(d.completed_at), "payload", payload ? payload : json_null(), "attempts",
                     attempts ? attempts : json_array());
}

// {url, events?, enabled?} (url required to create); PATCH also {rotateSecret: true}.
Status read_webhook_fields(const Config &cfg, const json_t *body, WebhookChange &w, bool creating) {
    if (creating || json_object_get(body, "url")) {
        auto url = req_string(body, "url", 2048);
        if (!url) return url.error();
        auto ok = check_webhook_url(cfg, *url);
        if (!ok) return ok.error();
        w.url = *url;
    }
    if (json_t *ev = json_object_get(body, "events")) {
        if (!json_is_array(ev) || json_array_size(ev) > kMaxWebhookEvents)
            return bad_request("\"events\" must be an array of at most 64 activity verbs such as CARD_MOVED");
        w.events.emplace();
        size_t i;
        json_t *v;
        json_array_foreach(ev, i, v) {
            if (!json_is_string(v) || !is_event_verb(json_string_value(v)))
                return bad_request("\"events\" must be an array of activity verbs such as CARD_MOVED");
            w.events->push_back(json_string_value(v));
        }
    }
    auto enabled = opt_bool(body, "enabled");
    if (!enabled) return enabled.error();
    w.enabled = *enabled;
    if (!creating) {
        auto rotate = opt_bool(body, "rotateSecret");
        if (!rotate) return rotate.error();
        if (*rotate && !**rotate) return bad_request("\"rotateSecret\" can only be true");
        w.rotate_secret = rotate->value_or(false);
    }
    return ok_status();
}

Result<Response> get_webhooks(Ctx &ctx) {
    auto list = list_webhooks(ctx.tx(), ctx.auth->user_id, ctx.req.param("id"));
    if (!list) return list.error();
    json_t *arr = json_array();
    for (const auto &w : *list) json_array_append_new(arr, webhook_json(w));
    return wrapped(200, "webhooks", arr);
}

Result<Response> post_webhook(Ctx &ctx) {
    auto body = body_object(ctx.req);
    if (!body) return body.error();
    WebhookChange in;
    auto st = read_webhook_fields(ctx.svc.cfg, body->get(), in, true);
    if (!st) return st.error();
    auto w = create_webhook(ctx.tx(), ctx.svc.cfg, ctx.auth->user_id, ctx.req.param("id"), in);
    if (!w) return w.error();
    return wrapped(201, "webhook", webhook_json(*w));
}

Result<Response> patch_webhook(Ctx &ctx) {
    auto st0 = check_path_id(ctx.req.param("id"));
    if (!st0) return st0.error();
    auto body = body_object(ctx.req);
    if (!body) return body.error();
    auto any = require_any(body->get(), {"url", "events", "enabled", "rotateSecret"});
    if (!any) return any.error();
    WebhookChange in;
    auto st = read_webhook_fields(ctx.svc.cfg, body->get(), in, false);
    if (!st) return st.error();
    auto w = update_webhook(ctx.tx(), ctx.svc.cfg, ctx.auth->user_id, ctx.req.param("id"), in);
    if (!w) return w.error();
    return wrapped(200, "webhook", webhook_json(*w));
}

Result<Response> delete_one(Ctx &ctx) {
    auto st0 = check_path_id(ctx.req.param("id"));
    if (!st0) return st0.error();
    auto st = delete_webhook(ctx.tx(), ctx.auth->user_id, ctx.req.param("id"));
    if (!st) return st.error();
    return no_content();
}

// ?limit=1..200 (default 50) &before=<nextCursor of the previous page>
Result<Response> get_deliveries(Ctx &ctx) {
    auto st0 = check_path_id(ctx.req.param("id"));
    if (!st0) return st0.error();
    auto limit = page_limit(ctx.req, kDefaultPage, kMaxPage);
    if (!limit) return limit.error();
    auto page = list_deliveries(ctx.tx(), ctx.auth->user_id, ctx.req.param("id"), ctx.req.query_param("before"),
                                *limit);
    if (!page) return page.error();
    json_t *arr = json_array();
    for (const auto &d : page->items) json_array_append_new(arr, delivery_json(d));
    return json_response(200,
                         json_pack("{s:o, s:o}", "deliveries", arr, "nextCursor", jstr_or_null(page->next_cursor)));
}

Result<Response> post_requeue(Ctx &ctx) {
    const std::string &id = ctx.req.param("id");
    if (id.size() != 26 || id.find_first_not_of("0123456789ABCDEFGHJKMNPQRSTVWXYZ") != std::string::npos)
        return not_found("no such delivery");
    auto st = requeue_delivery(ctx.tx(), ctx.auth->user_id, id);
    if (!st) return st.error();
    return no_content();
}

}  // namespace

std::vector<Route> webhook_routes() {
    return {
        {"GET", "/boards/:id/webhooks", get_webhooks, Access::session, "read"},
        {"POST", "/boards/:id/webhooks", post_webhook, Access::session, "mutation", Replay::never},
        {"PATCH", "/webhooks/:id", patch_webhook, Access::session, "mutation"},
        {"DELETE", "/webhooks/:id", delete_one, Access::session, "mutation"},
        {"GET", "/webhooks/:id/deliveries", get_deliveries, Access::session, "read"},
        {"POST", "/webhooks/deliveries/:id/requeue", post_requeue, Access::session, "mutation"},
    };
}

}  // namespace msk
