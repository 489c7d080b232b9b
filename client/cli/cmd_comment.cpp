// Comment commands: add and list a card's comments. The body is encrypted under
// the Board Key bound to comment:<id> (docs/client.md), so the id is chosen here.
#include <iostream>

#include "board_data.hpp"
#include "commands.hpp"
#include "created.hpp"
#include "crypto/aad.hpp"
#include "resolve.hpp"
#include "safe_text.hpp"

namespace mskanban::cli {

namespace c = mskanban::crypto;

namespace {

// The Board Key of the board that holds card `card_id` (one GET of the card).
Outcome<const c::SecretBytes *> card_board_key(Ctx &ctx, Keyring &keys, const std::string &card_id) {
    auto ref = fetch_card(ctx, card_id);
    if (!ref) return ref.failure();
    auto bk = keys.board_key(ref.value().board_id);
    if (!bk) return bk.failure();
    return bk.value();
}

}  // namespace

Status cmd_comment_add(Ctx &ctx) {
    if (ctx.args.pos.size() != 2) return fail(kUsage, "usage: mskanban comment add CARD_ID TEXT");
    const std::string &card_id = ctx.args.pos[0];
    Keyring keys(ctx);
    auto bk = card_board_key(ctx, keys, card_id);
    if (!bk) return bk.failure();
    std::string id = new_id();
    Json body = object();
    body.set("id", id);
    body.set("encBody", encrypt(*bk.value(), c::aad::comment(id), ctx.args.pos[1]));
    auto r = ctx.api->post("/cards/" + url_escape(card_id) + "/comments", body);
    if (!r) return r.failure();
    auto made = created_object(r.value(), "comment", id);
    if (!made) return made.failure();
    if (ctx.json) {
        Json o = object();
        o.set("id", id);
        std::cout << o.dump(true) << "\n";
    } else {
        std::cout << "Added comment " << id << ".\n";
    }
    return ok_status();
}

// Every page, oldest first. Each comment: author id, time, then its text indented.
Status cmd_comment_list(Ctx &ctx) {
    if (ctx.args.pos.size() != 1) return fail(kUsage, "usage: mskanban comment list CARD_ID");
    const std::string &card_id = ctx.args.pos[0];
    Keyring keys(ctx);
    auto bk = card_board_key(ctx, keys, card_id);
    if (!bk) return bk.failure();
    std::vector<std::string> errors;
    Json out = array();
    std::string cursor;
    do {
        std::string path = "/cards/" + url_escape(card_id) + "/comments?limit=200";
        if (!cursor.empty()) path += "&after=" + url_escape(cursor);
        auto r = ctx.api->get(path);
        if (!r) return r.failure();
        Json list = r.value()["comments"];
        for (size_t i = 0; i < json_array_size(list.get()); ++i) {
            Json cm = list.at(i);
            std::string id = cm.str("id");
            auto text = decrypt(*bk.value(), c::aad::comment(id), cm.str("encBody"), "comment " + id);
            std::string body = text ? text.value() : "[cannot decrypt]";
            if (!text) errors.push_back(text.failure().message);
            if (ctx.json) {
                Json o = object();
                o.set("id", id);
                o.set("authorId", cm.str("authorId"));
                o.set("createdAt", cm.str("createdAt"));
                o.set("text", body);
                json_array_append(out.get(), o.get());
            } else {
                std::cout << safe_line(cm.str("authorId")) << "  " << safe_line(cm.str("createdAt")) << "  ("
                          << safe_line(id) << ")\n    " << safe_line(body) << "\n";
            }
        }
        cursor = r.value().str("nextCursor");
    } while (!cursor.empty());
    if (ctx.json) std::cout << out.dump(true) << "\n";
    return report_decrypt_errors(errors);
}

}  // namespace mskanban::cli
