// Checklist commands: checklist add|list|rm and item add|check|uncheck|rm.
// Titles are encrypted under the Board Key bound to checklist:<id>, item texts
// bound to checklist-item:<id> (docs/client.md); the done flag and the order
// are plaintext, so checking an item needs no key.
#include <iostream>

#include "board_data.hpp"
#include "card_parts.hpp"
#include "commands.hpp"
#include "created.hpp"
#include "crypto/aad.hpp"
#include "safe_text.hpp"

namespace mskanban::cli {

namespace c = mskanban::crypto;

Status cmd_checklist_add(Ctx &ctx) {
    if (ctx.args.pos.size() != 2) return fail(kUsage, "usage: mskanban checklist add CARD_ID TITLE");
    const std::string &card_id = ctx.args.pos[0];
    Keyring keys(ctx);
    auto bk = card_board_key(ctx, keys, card_id);
    if (!bk) return bk.failure();
    std::string id = new_id();
    Json body = object();
    body.set("id", id);
    body.set("encTitle", encrypt(*bk.value(), c::aad::checklist(id), ctx.args.pos[1]));
    auto made = post_created(*ctx.api, "/cards/" + url_escape(card_id) + "/checklists", body, "checklist", id);
    if (!made) return made.failure();
    return print_done(ctx, id, "Added checklist " + id + ".");
}

// Each checklist with its progress, then its items with [x] or [ ] and their ids.
Status cmd_checklist_list(Ctx &ctx) {
    if (ctx.args.pos.size() != 1) return fail(kUsage, "usage: mskanban checklist list CARD_ID");
    Keyring keys(ctx);
    auto bk = card_board_key(ctx, keys, ctx.args.pos[0]);
    if (!bk) return bk.failure();
    std::vector<std::string> errors;
    auto lists = load_checklists(ctx, *bk.value(), ctx.args.pos[0], errors);
    if (!lists) return lists.failure();
    if (ctx.json) std::cout << checklists_json(lists.value()).dump(true) << "\n";
    else if (lists.value().empty()) std::cout << "(no checklists)\n";
    else print_checklists(std::cout, lists.value(), "");
    return report_decrypt_errors(errors);
}

Status cmd_checklist_rm(Ctx &ctx) {
    if (ctx.args.pos.size() != 1) return fail(kUsage, "usage: mskanban checklist rm CHECKLIST_ID");
    auto r = ctx.api->del("/checklists/" + url_escape(ctx.args.pos[0]));
    if (!r) return r.failure();
    return print_done(ctx, ctx.args.pos[0], "Deleted checklist " + ctx.args.pos[0] + " and its items.");
}

// CHECKLIST is an id or a title of one of the card's checklists; the card names the board key.
Status cmd_item_add(Ctx &ctx) {
    if (ctx.args.pos.size() != 3) return fail(kUsage, "usage: mskanban item add CARD_ID CHECKLIST TEXT [--done]");
    const std::string &card_id = ctx.args.pos[0];
    Keyring keys(ctx);
    auto bk = card_board_key(ctx, keys, card_id);
    if (!bk) return bk.failure();
    std::vector<std::string> errors;
    auto lists = load_checklists(ctx, *bk.value(), card_id, errors);
    if (!lists) return lists.failure();
    auto idx = find_checklist(lists.value(), ctx.args.pos[1]);
    if (!idx) return idx.failure();
    const ChecklistView &list = lists.value()[idx.value()];
    std::string id = new_id();
    Json body = object();
    body.set("id", id);
    body.set("encText", encrypt(*bk.value(), c::aad::checklist_item(id), ctx.args.pos[2]));
    if (ctx.args.has("done")) body.set("done", Json::own(json_true()));
    auto made = post_created(*ctx.api, "/checklists/" + url_escape(list.id) + "/items", body, "item", id);
    if (!made) return made.failure();
    return print_done(ctx, id, "Added item " + id + " to \"" + safe_line(list.title) + "\".");
}

namespace {

Status set_done(Ctx &ctx, bool done) {
    if (ctx.args.pos.size() != 1)
        return fail(kUsage, std::string("usage: mskanban item ") + (done ? "check" : "uncheck") + " ITEM_ID");
    Json body = object();
    body.set("done", Json::own(json_boolean(done)));
    auto r = ctx.api->patch("/checklist-items/" + url_escape(ctx.args.pos[0]), body);
    if (!r) return r.failure();
    return print_done(ctx, ctx.args.pos[0], (done ? "Checked item " : "Unchecked item ") + ctx.args.pos[0] + ".");
}

}  // namespace

Status cmd_item_check(Ctx &ctx) { return set_done(ctx, true); }
Status cmd_item_uncheck(Ctx &ctx) { return set_done(ctx, false); }

Status cmd_item_rm(Ctx &ctx) {
    if (ctx.args.pos.size() != 1) return fail(kUsage, "usage: mskanban item rm ITEM_ID");
    auto r = ctx.api->del("/checklist-items/" + url_escape(ctx.args.pos[0]));
    if (!r) return r.failure();
    return print_done(ctx, ctx.args.pos[0], "Deleted item " + ctx.args.pos[0] + ".");
}

}  // namespace mskanban::cli
