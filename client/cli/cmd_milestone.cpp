// Milestone commands: add, list, rm. A milestone belongs to one board: its
// name is encrypted under the Board Key bound to milestone:<id> (so the id is
// chosen here); its due date and archived flag are plaintext. MILESTONE is a
// milestone id or its (decrypted) name. Cards point at one with
// `card milestone` (cmd_card_links.cpp).
#include <iostream>

#include "board_meta.hpp"
#include "commands.hpp"
#include "created.hpp"
#include "crypto/aad.hpp"
#include "done.hpp"
#include "resolve.hpp"
#include "safe_text.hpp"

namespace mskanban::cli {

namespace c = mskanban::crypto;

Status cmd_milestone_add(Ctx &ctx) {
    if (ctx.args.pos.size() != 2) return fail(kUsage, "usage: mskanban milestone add BOARD_ID NAME [--due DATE]");
    const std::string &board_id = ctx.args.pos[0], &name = ctx.args.pos[1];
    Keyring keys(ctx);
    auto bk = keys.board_key(board_id);
    if (!bk) return bk.failure();
    std::string id = new_id();
    Json body = object();
    body.set("id", id);
    body.set("encName", encrypt(*bk.value(), c::aad::milestone(id), name));
    if (ctx.args.has("due")) {
        auto due = due_date(ctx.args.get("due"));
        if (!due) return due.failure();
        body.set("dueAt", due.value());
    }
    auto made = post_created(*ctx.api, "/boards/" + url_escape(board_id) + "/milestones", body, "milestone", id);
    if (!made) return made.failure();
    return print_done(ctx, id, "Added milestone " + id + " \"" + safe_line(name) + "\".");
}

Status cmd_milestone_list(Ctx &ctx) {
    if (ctx.args.pos.size() != 1) return fail(kUsage, "usage: mskanban milestone list BOARD_ID [--archived]");
    const std::string &board_id = ctx.args.pos[0];
    Keyring keys(ctx);
    auto bk = keys.board_key(board_id);
    if (!bk) return bk.failure();
    std::vector<std::string> errors;
    auto ms = load_milestones(ctx, *bk.value(), board_id, ctx.args.has("archived"), errors);
    if (!ms) return ms.failure();
    Json out = array();
    for (const auto &m : ms.value()) {
        if (ctx.json) {
            Json o = object();
            o.set("id", m.id);
            o.set("name", m.name);
            o.set("dueAt", m.due_at.empty() ? Json::own(json_null()) : Json::own(json_string(m.due_at.c_str())));
            o.set("archived", Json::own(json_boolean(m.archived)));
            json_array_append(out.get(), o.get());
        } else {
            std::cout << safe_line(m.id) << "  " << (m.due_at.empty() ? "no due date" : "due " + safe_line(m.due_at.substr(0, 10)))
                      << "  " << safe_line(m.name) << (m.archived ? "  (archived)" : "") << "\n";
        }
    }
    if (ctx.json) std::cout << out.dump(true) << "\n";
    else if (ms.value().empty()) std::cout << "No milestones: mskanban milestone add " << safe_line(board_id) << " NAME\n";
    return report_decrypt_errors(errors);
}

Status cmd_milestone_rm(Ctx &ctx) {
    if (ctx.args.pos.size() != 2) return fail(kUsage, "usage: mskanban milestone rm BOARD_ID MILESTONE");
    const std::string &board_id = ctx.args.pos[0];
    Keyring keys(ctx);
    auto bk = keys.board_key(board_id);
    if (!bk) return bk.failure();
    std::vector<std::string> errors;
    auto ms = load_milestones(ctx, *bk.value(), board_id, true, errors);
    if (!ms) return ms.failure();
    auto m = find_milestone(ms.value(), ctx.args.pos[1]);
    if (!m) return m.failure();
    auto r = ctx.api->del("/milestones/" + url_escape(m.value().id));
    if (!r) return r.failure();
    return print_done(ctx, m.value().id, "Deleted milestone " + safe_line(m.value().id) + " (its cards have none now).");
}

}  // namespace mskanban::cli
