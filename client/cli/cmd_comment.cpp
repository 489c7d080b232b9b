// Comment commands: add, list, edit and rm a card's comments. The body is
// encrypted under the Board Key bound to comment:<id> (docs/client.md), so the
// id is chosen here. `@email` words in the text are resolved to the user ids
// of workspace members and sent as `mentions` (mentions.hpp).
#include <iostream>

#include "board_data.hpp"
#include "board_meta.hpp"
#include "card_parts.hpp"
#include "commands.hpp"
#include "created.hpp"
#include "crypto/aad.hpp"
#include "mentions.hpp"
#include "safe_text.hpp"

namespace mskanban::cli {

namespace c = mskanban::crypto;

namespace {

// The body of a create or edit: encBody, plus mentions when the text has any.
Outcome<Json> comment_body(Ctx &ctx, Keyring &keys, const c::SecretBytes &bk, const std::string &board_id,
                           const std::string &comment_id, const std::string &text, bool always_mentions) {
    Json body = object();
    body.set("encBody", encrypt(bk, c::aad::comment(comment_id), text));
    auto emails = mentioned_emails(text);
    if (emails.empty() && !always_mentions) return body;
    std::vector<std::string> ids;
    if (!emails.empty()) {
        auto board = keys.board(board_id);
        if (!board) return board.failure();
        auto members = load_members(ctx, board.value().str("workspaceId"));
        if (!members) return members.failure();
        auto resolved = resolve_mentions(emails, members.value());
        if (!resolved) return resolved.failure();
        ids = resolved.value();
    }
    Json list = array();
    for (const auto &id : ids) json_array_append_new(list.get(), json_string(id.c_str()));
    body.set("mentions", list);
    return body;
}

}  // namespace

Status cmd_comment_add(Ctx &ctx) {
    if (ctx.args.pos.size() != 2) return fail(kUsage, "usage: mskanban comment add CARD_ID TEXT");
    const std::string &card_id = ctx.args.pos[0];
    Keyring keys(ctx);
    std::string board_id;
    auto bk = card_board_key(ctx, keys, card_id, nullptr, &board_id);
    if (!bk) return bk.failure();
    std::string id = new_id();
    auto body = comment_body(ctx, keys, *bk.value(), board_id, id, ctx.args.pos[1], false);
    if (!body) return body.failure();
    body.value().set("id", id);
    auto made = post_created(*ctx.api, "/cards/" + url_escape(card_id) + "/comments", body.value(), "comment", id);
    if (!made) return made.failure();
    return print_done(ctx, id, "Added comment " + id + ".");
}

// Every page, oldest first. Each comment: author, time, id, mentions, then its text indented.
Status cmd_comment_list(Ctx &ctx) {
    if (ctx.args.pos.size() != 1) return fail(kUsage, "usage: mskanban comment list CARD_ID");
    const std::string &card_id = ctx.args.pos[0];
    Keyring keys(ctx);
    std::string board_id;
    auto bk = card_board_key(ctx, keys, card_id, nullptr, &board_id);
    if (!bk) return bk.failure();
    std::vector<std::string> errors;
    auto comments = load_comments(ctx, *bk.value(), card_id, errors);
    if (!comments) return comments.failure();
    auto board = keys.board(board_id);
    if (!board) return board.failure();
    auto members = load_members(ctx, board.value().str("workspaceId"));
    if (!members) return members.failure();
    if (ctx.json) std::cout << comments_json(comments.value(), members.value()).dump(true) << "\n";
    else print_comments(std::cout, comments.value(), members.value(), "");
    return report_decrypt_errors(errors);
}

// Only the author may edit (the server says 403 otherwise). The mentions are
// replaced by those of the new text.
Status cmd_comment_edit(Ctx &ctx) {
    if (ctx.args.pos.size() != 3) return fail(kUsage, "usage: mskanban comment edit CARD_ID COMMENT_ID TEXT");
    const std::string &card_id = ctx.args.pos[0], &id = ctx.args.pos[1];
    Keyring keys(ctx);
    std::string board_id;
    auto bk = card_board_key(ctx, keys, card_id, nullptr, &board_id);
    if (!bk) return bk.failure();
    // The comment must be one of this card's: its text is bound to this card's board key.
    std::vector<std::string> errors;
    auto comments = load_comments(ctx, *bk.value(), card_id, errors);
    if (!comments) return comments.failure();
    bool found = false;
    for (const auto &cm : comments.value()) found = found || cm.id == id;
    if (!found) return fail(kUsage, "card " + card_id + " has no comment " + id + " (see: mskanban comment list " + card_id + ")");
    auto body = comment_body(ctx, keys, *bk.value(), board_id, id, ctx.args.pos[2], true);
    if (!body) return body.failure();
    auto r = ctx.api->patch("/comments/" + url_escape(id), body.value());
    if (!r) return r.failure();
    return print_done(ctx, id, "Edited comment " + id + ".");
}

Status cmd_comment_rm(Ctx &ctx) {
    if (ctx.args.pos.size() != 1) return fail(kUsage, "usage: mskanban comment rm COMMENT_ID");
    auto r = ctx.api->del("/comments/" + url_escape(ctx.args.pos[0]));
    if (!r) return r.failure();
    return print_done(ctx, ctx.args.pos[0], "Deleted comment " + ctx.args.pos[0] + ".");
}

}  // namespace mskanban::cli
