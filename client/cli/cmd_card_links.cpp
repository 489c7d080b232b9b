// What a card points at: `card label|unlabel CARD_ID LABEL` (a label of the
// card's board, by id or decrypted name), `card assign|unassign CARD_ID EMAIL`
// (a member of the card's workspace, by email, user id or "me", resolved to a
// user id through the workspace's member list) and `card milestone CARD_ID
// MILESTONE|--none`. The server keeps only ids; every change is idempotent
// there, so repeating one is harmless.
#include <iostream>

#include "board_meta.hpp"
#include "commands.hpp"
#include "done.hpp"
#include "resolve.hpp"
#include "safe_text.hpp"

namespace mskanban::cli {

namespace {

struct CardBoard {
    std::string id;
    const crypto::SecretBytes *key;
};

// The board of card `card_id` and its Board Key (held by `keys`).
Outcome<CardBoard> card_board(Ctx &ctx, Keyring &keys, const std::string &card_id) {
    auto ref = fetch_card(ctx, card_id);
    if (!ref) return ref.failure();
    auto bk = keys.board_key(ref.value().board_id);
    if (!bk) return bk.failure();
    return CardBoard{ref.value().board_id, bk.value()};
}

// The label named `key` on the card's board.
Outcome<LabelView> card_label(Ctx &ctx, const std::string &card_id, const std::string &key) {
    Keyring keys(ctx);
    auto board = card_board(ctx, keys, card_id);
    if (!board) return board.failure();
    std::vector<std::string> errors;
    auto labels = load_labels(ctx, *board.value().key, board.value().id, errors);
    if (!labels) return labels.failure();
    return find_label(labels.value(), key);
}

// The milestone named `key` on the card's board (archived ones too).
Outcome<MilestoneView> card_milestone(Ctx &ctx, const std::string &card_id, const std::string &key) {
    Keyring keys(ctx);
    auto board = card_board(ctx, keys, card_id);
    if (!board) return board.failure();
    std::vector<std::string> errors;
    auto ms = load_milestones(ctx, *board.value().key, board.value().id, true, errors);
    if (!ms) return ms.failure();
    return find_milestone(ms.value(), key);
}

// The member of the card's workspace that `who` names ("me": the logged-in user).
Outcome<MemberView> card_member(Ctx &ctx, const std::string &card_id, const std::string &who) {
    auto ref = fetch_card(ctx, card_id);
    if (!ref) return ref.failure();
    Keyring keys(ctx);
    auto board = keys.board(ref.value().board_id);
    if (!board) return board.failure();
    auto members = load_members(ctx, board.value().str("workspaceId"));
    if (!members) return members.failure();
    return find_member(members.value(), who == "me" ? ctx.state->user_id : who);
}

}  // namespace

Status cmd_card_label(Ctx &ctx) {
    if (ctx.args.pos.size() != 2) return fail(kUsage, "usage: mskanban card label CARD_ID LABEL");
    const std::string &card_id = ctx.args.pos[0];
    auto label = card_label(ctx, card_id, ctx.args.pos[1]);
    if (!label) return label.failure();
    Json body = object();
    body.set("labelId", label.value().id);
    auto r = ctx.api->post("/cards/" + url_escape(card_id) + "/labels", body);
    if (!r) return r.failure();
    return print_done(ctx, card_id, "Labelled card " + safe_line(card_id) + " [" + safe_line(label.value().name) + "].");
}

Status cmd_card_unlabel(Ctx &ctx) {
    if (ctx.args.pos.size() != 2) return fail(kUsage, "usage: mskanban card unlabel CARD_ID LABEL");
    const std::string &card_id = ctx.args.pos[0];
    auto label = card_label(ctx, card_id, ctx.args.pos[1]);
    if (!label) return label.failure();
    auto r = ctx.api->del("/cards/" + url_escape(card_id) + "/labels?labelId=" + url_escape(label.value().id));
    if (!r) return r.failure();
    return print_done(ctx, card_id, "Took [" + safe_line(label.value().name) + "] off card " + safe_line(card_id) + ".");
}

Status cmd_card_assign(Ctx &ctx) {
    if (ctx.args.pos.size() != 2) return fail(kUsage, "usage: mskanban card assign CARD_ID EMAIL");
    const std::string &card_id = ctx.args.pos[0];
    auto m = card_member(ctx, card_id, ctx.args.pos[1]);
    if (!m) return m.failure();
    Json body = object();
    body.set("userId", m.value().user_id);
    auto r = ctx.api->post("/cards/" + url_escape(card_id) + "/assignments", body);
    if (!r) return r.failure();
    return print_done(ctx, card_id, "Assigned " + safe_line(m.value().email) + " to card " + safe_line(card_id) + ".");
}

Status cmd_card_unassign(Ctx &ctx) {
    if (ctx.args.pos.size() != 2) return fail(kUsage, "usage: mskanban card unassign CARD_ID EMAIL");
    const std::string &card_id = ctx.args.pos[0];
    auto m = card_member(ctx, card_id, ctx.args.pos[1]);
    if (!m) return m.failure();
    auto r = ctx.api->del("/cards/" + url_escape(card_id) + "/assignments/" + url_escape(m.value().user_id));
    if (!r) return r.failure();
    return print_done(ctx, card_id, "Unassigned " + safe_line(m.value().email) + " from card " + safe_line(card_id) + ".");
}

Status cmd_card_milestone(Ctx &ctx) {
    bool none = ctx.args.has("none");
    if (ctx.args.pos.size() != (none ? 1u : 2u)) return fail(kUsage, "usage: mskanban card milestone CARD_ID MILESTONE | --none");
    const std::string &card_id = ctx.args.pos[0];
    Json body = object();
    std::string name;
    if (none) {
        body.set("milestoneId", Json::own(json_null()));
    } else {
        auto m = card_milestone(ctx, card_id, ctx.args.pos[1]);
        if (!m) return m.failure();
        body.set("milestoneId", m.value().id);
        name = m.value().name;
    }
    auto r = ctx.api->call("PUT", "/cards/" + url_escape(card_id) + "/milestone", body);
    if (!r) return r.failure();
    return print_done(ctx, card_id, none ? "Card " + safe_line(card_id) + " has no milestone now."
                                         : "Card " + safe_line(card_id) + " is in milestone \"" + safe_line(name) + "\".");
}

}  // namespace mskanban::cli
