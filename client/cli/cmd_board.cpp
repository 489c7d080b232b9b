// Board commands: create (a fresh Board Key wrapped by the Workspace Key, the
// name under the Board Key, then its first columns), list (names decrypted),
// show (the whole board drawn side by side with its labels, assignees and
// milestones, or --json).
#include <unistd.h>

#include <iostream>
#include <sstream>

#include "board_data.hpp"
#include "board_meta.hpp"
#include "colour.hpp"
#include "commands.hpp"
#include "created.hpp"
#include "crypto/aad.hpp"
#include "render.hpp"
#include "safe_text.hpp"

namespace mskanban::cli {

namespace c = mskanban::crypto;

// Shared with cmd_column.cpp: POST one column under a board key.
Outcome<std::string> add_column(Ctx &ctx, const std::string &board_id, const c::SecretBytes &bk,
                                const std::string &name, long long wip, bool done) {
    std::string id = new_id();
    Json body = object();
    body.set("id", id);
    body.set("encName", encrypt(bk, c::aad::column(id), name));
    if (wip > 0) body.set("wipLimit", Json::own(json_integer(wip)));
    if (done) body.set("isDone", Json::own(json_true()));
    auto col = post_created(*ctx.api, "/boards/" + url_escape(board_id) + "/columns", body, "column", id);
    if (!col) return col.failure();
    return id;
}

Status cmd_board_create(Ctx &ctx) {
    if (ctx.args.pos.size() != 2) return fail(kUsage, "usage: mskanban board create WORKSPACE_ID NAME [--columns \"To do,Doing,Done\"]");
    const std::string &ws_id = ctx.args.pos[0], &name = ctx.args.pos[1];
    Keyring keys(ctx);
    auto wk = keys.workspace_key(ws_id);
    if (!wk) return wk.failure();
    std::string id = new_id();
    c::SecretBytes bk = c::new_key();
    auto wrapped = c::wrap_board_key(*wk.value(), id, bk);
    if (!wrapped) return fail(kGeneral, wrapped.error().message);
    Json body = object();
    body.set("id", id);
    body.set("encName", encrypt(bk, c::aad::board(id), name));
    body.set("encBoardKey", wrapped.value());
    auto board = post_created(*ctx.api, "/workspaces/" + url_escape(ws_id) + "/boards", body, "board", id);
    if (!board) return board.failure();

    std::string spec = ctx.args.has("columns") ? ctx.args.get("columns") : "To do,Doing,Done";
    std::vector<std::string> names;
    std::stringstream ss(spec);
    for (std::string part; std::getline(ss, part, ',');)
        if (!part.empty()) names.push_back(part);
    Json cols = array();
    for (size_t i = 0; i < names.size(); i++) {
        bool done = !ctx.args.has("columns") && i + 1 == names.size();
        auto col = add_column(ctx, id, bk, names[i], 0, done);
        if (!col) return col.failure();
        json_array_append_new(cols.get(), json_string(col.value().c_str()));
    }
    if (ctx.json) {
        Json out = object();
        out.set("id", id);
        out.set("workspaceId", ws_id);
        out.set("name", name);
        out.set("columnIds", cols);
        std::cout << out.dump(true) << "\n";
    } else {
        std::cout << "Created board " << id << " \"" << safe_line(name) << "\" with " << names.size() << " columns.\n";
    }
    return ok_status();
}

Status cmd_board_list(Ctx &ctx) {
    if (ctx.args.pos.size() != 1) return fail(kUsage, "usage: mskanban board list WORKSPACE_ID");
    const std::string &ws_id = ctx.args.pos[0];
    Keyring keys(ctx);
    auto wk = keys.workspace_key(ws_id);
    if (!wk) return wk.failure();
    auto r = ctx.api->get("/workspaces/" + url_escape(ws_id) + "/boards");
    if (!r) return r.failure();
    Json list = unwrap_list(r.value(), "boards");
    Json out = array();
    std::vector<std::string> errors;
    for (size_t i = 0; i < list.size(); i++) {
        Json b = list.at(i);
        std::string id = b.str("id"), name = kUndecryptable;
        auto bk = c::unwrap_board_key(*wk.value(), id, b.str("encBoardKey"));
        if (!bk) {
            errors.push_back("board " + id + " key: " + bk.error().message);
        } else {
            auto n = decrypt(bk.value(), c::aad::board(id), b.str("encName"), "board " + id + " name");
            if (n) name = n.value();
            else errors.push_back(n.failure().message);
        }
        Json o = object();
        o.set("id", id);
        o.set("name", name);
        json_array_append(out.get(), o.get());
        if (!ctx.json) std::cout << safe_line(id) << "  " << safe_line(name) << "\n";
    }
    if (ctx.json) std::cout << out.dump(true) << "\n";
    else if (list.size() == 0) std::cout << "No boards yet: mskanban board create " << safe_line(ws_id) << " NAME\n";
    return report_decrypt_errors(errors);
}

Status cmd_board_show(Ctx &ctx) {
    if (ctx.args.pos.size() != 1) return fail(kUsage, "usage: mskanban board show BOARD_ID [--archived] [--width N]");
    Keyring keys(ctx);
    auto b = load_board(ctx, keys, ctx.args.pos[0], ctx.args.has("archived"));
    if (!b) return b.failure();
    auto meta = load_board_meta(ctx, keys, b.value());
    if (!meta) return meta.failure();
    if (ctx.json) {
        std::cout << board_json(b.value()).dump(true) << "\n";
    } else {
        int width = ctx.args.has("width") ? std::atoi(ctx.args.get("width").c_str()) : terminal_width();
        std::cout << render_board(b.value(), width, colour_wanted(STDOUT_FILENO));
    }
    return report_decrypt_errors(b.value().errors);
}

}  // namespace mskanban::cli
