// `notifications`: the newest notifications (someone assigned you to a card,
// or mentioned you in a comment), with the card's title decrypted and the
// actor's email from the workspace's member list; `notifications read` marks
// everything up to the newest one read. The server keeps only ids, the verb,
// the actor and the time: whatever is shown of the card is decrypted here, and
// a card this account can no longer read is shown by its id.
#include <iostream>
#include <map>

#include "board_meta.hpp"
#include "commands.hpp"
#include "safe_text.hpp"

namespace mskanban::cli {

namespace {

// Card titles and actor emails, each fetched once per command.
class Names {
public:
    Names(Ctx &ctx) : ctx_(ctx), keys_(ctx) {}

    // The decrypted title, "" when the card cannot be fetched (deleted, no
    // longer shared), kUndecryptable (and an error) when it does not decrypt.
    std::string card_title(const std::string &board_id, const std::string &card_id, std::vector<std::string> &errors) {
        auto it = titles_.find(card_id);
        if (it != titles_.end()) return it->second;
        std::string title;
        auto bk = keys_.board_key(board_id);
        auto r = bk ? ctx_.api->get("/cards/" + url_escape(card_id)) : Outcome<Json>(bk.failure());
        if (r) {
            CardView v = card_view(*bk.value(), unwrap_object(r.value(), "card"), errors);
            title = v.title;
        }
        return titles_[card_id] = title;
    }

    // The actor's email, else their id.
    std::string member_email(const std::string &ws_id, const std::string &user_id) {
        auto it = members_.find(ws_id);
        if (it == members_.end()) {
            auto m = load_members(ctx_, ws_id);
            it = members_.emplace(ws_id, m ? m.value() : std::vector<MemberView>{}).first;
        }
        for (const auto &m : it->second)
            if (m.user_id == user_id) return m.email;
        return user_id;
    }

private:
    Ctx &ctx_;
    Keyring keys_;
    std::map<std::string, std::string> titles_;
    std::map<std::string, std::vector<MemberView>> members_;
};

std::string verb_text(const std::string &verb) {
    if (verb == "CARD_ASSIGNED") return "assigned you to";
    if (verb == "COMMENT_MENTIONED") return "mentioned you on";
    return verb;
}

}  // namespace

Status cmd_notifications(Ctx &ctx) {
    if (!ctx.args.pos.empty()) return fail(kUsage, "usage: mskanban notifications [--unread] [--limit N]");
    long limit = ctx.args.has("limit") ? std::atol(ctx.args.get("limit").c_str()) : 20;
    if (limit < 1 || limit > 200) return fail(kUsage, "--limit wants a number from 1 to 200");
    std::string path = "/me/notifications?limit=" + std::to_string(limit) + (ctx.args.has("unread") ? "&unread=1" : "");
    auto r = ctx.api->get(path);
    if (!r) return r.failure();
    Json list = unwrap_list(r.value(), "notifications");
    long long unread = r.value().num("unread");
    Names names(ctx);
    std::vector<std::string> errors;
    Json out = array();
    for (size_t i = 0; i < list.size(); i++) {
        Json n = list.at(i);
        std::string actor = n.has("actorId") ? names.member_email(n.str("workspaceId"), n.str("actorId")) : "";
        std::string title = names.card_title(n.str("boardId"), n.str("cardId"), errors);
        if (ctx.json) {
            Json o = Json::own(json_deep_copy(n.get()));
            o.set("actor", actor.empty() ? Json::own(json_null()) : Json::own(json_stringn(actor.data(), actor.size())));
            o.set("cardTitle", title.empty() ? Json::own(json_null()) : Json::own(json_stringn(title.data(), title.size())));
            json_array_append(out.get(), o.get());
            continue;
        }
        std::cout << (n.boolean("read") ? "  " : "* ") << safe_line(n.str("createdAt").substr(0, 16)) << "  "
                  << (actor.empty() ? "someone (account deleted)" : safe_line(actor)) << " " << verb_text(safe_line(n.str("verb")))
                  << " " << (title.empty() ? "a card you cannot open" : "\"" + safe_line(title) + "\"") << " ("
                  << safe_line(n.str("cardId")) << ")\n";
    }
    if (ctx.json) {
        Json o = object();
        o.set("notifications", out);
        o.set("unread", Json::own(json_integer(unread)));
        std::cout << o.dump(true) << "\n";
    } else if (list.size() == 0) {
        std::cout << (ctx.args.has("unread") ? "No unread notifications.\n" : "No notifications.\n");
    } else {
        std::cout << unread << " unread" << (unread ? "; mark them read: mskanban notifications read" : "") << "\n";
    }
    return report_decrypt_errors(errors);
}

Status cmd_notifications_read(Ctx &ctx) {
    if (!ctx.args.pos.empty()) return fail(kUsage, "usage: mskanban notifications read [--up-to NOTIFICATION_ID]");
    std::string up_to = ctx.args.get("up-to");
    if (up_to.empty()) {
        auto r = ctx.api->get("/me/notifications?limit=1");
        if (!r) return r.failure();
        Json list = unwrap_list(r.value(), "notifications");
        if (list.size() == 0) {
            std::cout << (ctx.json ? "{\"unread\": 0}\n" : "No notifications.\n");
            return ok_status();
        }
        up_to = list.at(0).str("id");
    }
    Json body = object();
    body.set("upTo", up_to);
    auto r = ctx.api->post("/me/notifications/read", body);
    if (!r) return r.failure();
    long long unread = r.value().num("unread");
    if (ctx.json) {
        Json o = object();
        o.set("upTo", up_to);
        o.set("unread", Json::own(json_integer(unread)));
        std::cout << o.dump(true) << "\n";
    } else {
        std::cout << "Marked read up to " << safe_line(up_to) << "; " << unread << " unread.\n";
    }
    return ok_status();
}

}  // namespace mskanban::cli
