// Webhook and automation commands. Webhooks are board metadata, nothing to decrypt:
// `webhook add` prints the signing secret once (the server shows it only then),
// `webhook list`, `rm`, `deliveries` (newest first, with each attempt) and `requeue`.
// `automation list` shows each rule's plaintext trigger; its body stays encrypted.
// Every string from the server is printed through safe_line().
#include <iostream>

#include "commands.hpp"
#include "done.hpp"
#include "safe_text.hpp"

namespace mskanban::cli {

namespace {

std::string events_text(const Json &events) {
    if (events.size() == 0) return "every event";
    std::string out;
    for (size_t i = 0; i < events.size(); ++i) {
        const char *s = json_string_value(events.at(i).get());
        out += (i ? "," : "") + safe_line(s ? s : "");
    }
    return out;
}

}  // namespace

// webhook add BOARD_ID URL [--events A,B] [--disabled]
Status cmd_webhook_add(Ctx &ctx) {
    if (ctx.args.pos.size() != 2) return fail(kUsage, "usage: mskanban webhook add BOARD_ID URL [--events CARD_MOVED,...]");
    Json body = object();
    body.set("url", ctx.args.pos[1]);
    if (ctx.args.has("events")) {
        Json list = array();
        std::string all = ctx.args.get("events"), item;
        size_t start = 0;
        while (start <= all.size()) {
            size_t comma = all.find(',', start);
            if (comma == std::string::npos) comma = all.size();
            item = all.substr(start, comma - start);
            if (!item.empty()) json_array_append_new(list.get(), json_string(item.c_str()));
            start = comma + 1;
        }
        body.set("events", list);
    }
    auto r = ctx.api->post("/boards/" + url_escape(ctx.args.pos[0]) + "/webhooks", body);
    if (!r) return r.failure();
    Json hook = r.value()["webhook"];
    if (ctx.json) {
        std::cout << hook.dump(true) << "\n";
        return ok_status();
    }
    std::cout << "Added webhook " << safe_line(hook.str("id")) << " -> " << safe_line(hook.str("url")) << " ("
              << events_text(hook["events"]) << ").\n"
              << "Signing secret (shown once; keep it with the receiver): " << safe_line(hook.str("secret")) << "\n";
    return ok_status();
}

Status cmd_webhook_list(Ctx &ctx) {
    if (ctx.args.pos.size() != 1) return fail(kUsage, "usage: mskanban webhook list BOARD_ID");
    auto r = ctx.api->get("/boards/" + url_escape(ctx.args.pos[0]) + "/webhooks");
    if (!r) return r.failure();
    Json hooks = r.value()["webhooks"];
    if (ctx.json) {
        std::cout << hooks.dump(true) << "\n";
        return ok_status();
    }
    if (hooks.size() == 0) std::cout << "No webhooks.\n";
    for (size_t i = 0; i < hooks.size(); ++i) {
        Json h = hooks.at(i);
        std::cout << safe_line(h.str("id")) << "  " << safe_line(h.str("url")) << "  " << events_text(h["events"])
                  << (h.boolean("enabled", true) ? "" : "  (disabled)") << "\n";
    }
    return ok_status();
}

Status cmd_webhook_rm(Ctx &ctx) {
    if (ctx.args.pos.size() != 1) return fail(kUsage, "usage: mskanban webhook rm WEBHOOK_ID");
    auto r = ctx.api->del("/webhooks/" + url_escape(ctx.args.pos[0]));
    if (!r) return r.failure();
    return print_done(ctx, ctx.args.pos[0], "Deleted webhook " + safe_line(ctx.args.pos[0]) + " and its deliveries.");
}

// Newest first, one page (--limit, default 20): state, verb, attempts; each attempt indented.
Status cmd_webhook_deliveries(Ctx &ctx) {
    if (ctx.args.pos.size() != 1) return fail(kUsage, "usage: mskanban webhook deliveries WEBHOOK_ID [--limit N]");
    long limit = ctx.args.has("limit") ? std::atol(ctx.args.get("limit").c_str()) : 20;
    if (limit < 1 || limit > 200) return fail(kUsage, "--limit must be from 1 to 200");
    auto r = ctx.api->get("/webhooks/" + url_escape(ctx.args.pos[0]) + "/deliveries?limit=" + std::to_string(limit));
    if (!r) return r.failure();
    Json list = r.value()["deliveries"];
    if (ctx.json) {
        std::cout << list.dump(true) << "\n";
        return ok_status();
    }
    if (list.size() == 0) std::cout << "No deliveries.\n";
    for (size_t i = 0; i < list.size(); ++i) {
        Json d = list.at(i);
        std::cout << safe_line(d.str("id")) << "  " << safe_line(d.str("state")) << "  " << safe_line(d.str("verb"))
                  << "  " << d.num("attemptCount") << " attempt(s)  " << safe_line(d.str("createdAt")) << "\n";
        Json attempts = d["attempts"];
        for (size_t j = 0; j < attempts.size(); ++j) {
            Json a = attempts.at(j);
            std::cout << "    #" << a.num("n") << "  " << safe_line(a.str("startedAt")) << "  "
                      << (a.has("status") ? "HTTP " + std::to_string(a.num("status")) : std::string("no answer")) << "  "
                      << a.num("durationMs") << " ms" << (a.has("error") ? "  " + safe_line(a.str("error")) : "") << "\n";
        }
    }
    return ok_status();
}

Status cmd_webhook_requeue(Ctx &ctx) {
    if (ctx.args.pos.size() != 1) return fail(kUsage, "usage: mskanban webhook requeue DELIVERY_ID");
    auto r = ctx.api->post("/webhooks/deliveries/" + url_escape(ctx.args.pos[0]) + "/requeue", object());
    if (!r) return r.failure();
    return print_done(ctx, ctx.args.pos[0], "Requeued delivery " + safe_line(ctx.args.pos[0]) + ".");
}

Status cmd_automation_list(Ctx &ctx) {
    if (ctx.args.pos.size() != 1) return fail(kUsage, "usage: mskanban automation list BOARD_ID");
    auto r = ctx.api->get("/boards/" + url_escape(ctx.args.pos[0]) + "/automations");
    if (!r) return r.failure();
    Json list = r.value()["automations"];
    if (ctx.json) {
        std::cout << list.dump(true) << "\n";
        return ok_status();
    }
    if (list.size() == 0) std::cout << "No automations.\n";
    for (size_t i = 0; i < list.size(); ++i) {
        Json a = list.at(i);
        std::cout << safe_line(a.str("id")) << "  when " << safe_line(a.str("trigger"));
        const char *key;
        json_t *v;
        json_object_foreach(a["triggerMeta"].get(), key, v) {
            std::cout << " " << safe_line(key) << "=" << safe_line(json_string_value(v) ? json_string_value(v) : "");
        }
        std::cout << (a.boolean("enabled", true) ? "" : "  (disabled)") << "  (rule encrypted)\n";
    }
    return ok_status();
}

}  // namespace mskanban::cli
