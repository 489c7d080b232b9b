// Card commands: add, show, edit, move, archive, rm. Title and description
// are encrypted under the Board Key bound to card:<id>; due dates, position
// and the archived flag are plaintext metadata (DESIGN.md).
#include <iostream>

#include "board_data.hpp"
#include "board_meta.hpp"
#include "card_parts.hpp"
#include "commands.hpp"
#include "created.hpp"
#include "crypto/aad.hpp"
#include "resolve.hpp"
#include "safe_text.hpp"

namespace mskanban::cli {

namespace c = mskanban::crypto;

namespace {

// Every string is escaped (safe_text.hpp). The title and the fields are one
// line each; the description keeps its line breaks but every line is indented
// four spaces, so nothing in it can pass for the title or a field line.
void print_card(const CardView &v, const std::string &column_name) {
    std::cout << safe_line(v.title) << "\n"
              << "  id:      " << safe_line(v.id) << "\n"
              << "  column:  " << safe_line(column_name) << " (" << safe_line(v.column_id) << ")\n";
    if (!v.due_at.empty()) std::cout << "  due:     " << safe_line(v.due_at) << "\n";
    if (v.archived) std::cout << "  archived\n";
    if (!v.labels.empty()) {
        std::cout << "  labels: ";
        for (const auto &l : v.labels) std::cout << " [" << safe_line(l) << "]";
        std::cout << "\n";
    }
    if (!v.assignees.empty()) {
        std::cout << "  assigned:";
        for (const auto &a : v.assignees) std::cout << " " << safe_line(a);
        std::cout << "\n";
    }
    if (!v.milestone.empty()) std::cout << "  milestone: " << safe_line(v.milestone) << "\n";
    if (!v.description.empty()) {
        std::cout << "  description:\n";
        std::string text = safe_text(v.description);
        for (size_t start = 0; start <= text.size();) {
            size_t nl = text.find('\n', start);
            if (nl == std::string::npos) nl = text.size();
            std::cout << "    " << text.substr(start, nl - start) << "\n";
            start = nl + 1;
        }
    }
}

Status done(const Ctx &ctx, const std::string &card_id, const std::string &what) {
    if (ctx.json) {
        Json o = object();
        o.set("id", card_id);
        std::cout << o.dump(true) << "\n";
    }
    else std::cout << what << "\n";
    return ok_status();
}

}  // namespace

Status cmd_card_add(Ctx &ctx) {
    if (ctx.args.pos.size() != 3) return fail(kUsage, "usage: mskanban card add BOARD_ID COLUMN TITLE [--description TEXT] [--due DATE]");
    const std::string &board_id = ctx.args.pos[0], &title = ctx.args.pos[2];
    Keyring keys(ctx);
    auto b = load_board(ctx, keys, board_id, false);
    if (!b) return b.failure();
    auto idx = find_column(b.value(), ctx.args.pos[1]);
    if (!idx) return idx.failure();
    const ColumnView &col = b.value().columns[idx.value()];
    const c::SecretBytes &bk = *keys.board_key(board_id).value();

    std::string id = new_id();
    Json body = object();
    body.set("id", id);
    body.set("encTitle", encrypt(bk, c::aad::card(id), title));
    // An empty description is no description: null, never an envelope of "" (docs/client.md).
    if (!ctx.args.get("description").empty())
        body.set("encDescription", encrypt(bk, c::aad::card(id), ctx.args.get("description")));
    if (ctx.args.has("due")) {
        auto due = due_date(ctx.args.get("due"));
        if (!due) return due.failure();
        body.set("dueAt", due.value());
    }
    auto card = post_created(*ctx.api, "/columns/" + url_escape(col.id) + "/cards", body, "card", id);
    if (!card) return card.failure();
    return done(ctx, id, "Added card " + id + " to \"" + safe_line(col.name) + "\".");
}

Status cmd_card_show(Ctx &ctx) {
    if (ctx.args.pos.size() != 1) return fail(kUsage, "usage: mskanban card show CARD_ID");
    auto ref = fetch_card(ctx, ctx.args.pos[0]);
    if (!ref) return ref.failure();
    Keyring keys(ctx);
    auto bk = keys.board_key(ref.value().board_id);
    if (!bk) return bk.failure();
    std::vector<std::string> errors;
    CardView v = card_view(*bk.value(), ref.value().card, errors);
    auto refs = resolve_card_refs(ctx, keys, ref.value().board_id, v, errors);  // label names, assignees, milestone
    if (!refs) return refs.failure();
    auto parts = load_card_parts(ctx, keys, ref.value().card, ref.value().board_id, errors);
    if (!parts) return parts.failure();
    if (ctx.json) {
        Json o = card_json(v);
        o.set("boardId", ref.value().board_id);
        add_card_parts_json(o, parts.value());
        if (!errors.empty()) {  // as in board show: the fields marked [cannot decrypt], named
            Json errs = array();
            for (const auto &e : errors) json_array_append_new(errs.get(), json_stringn(e.data(), e.size()));
            o.set("decryptErrors", errs);
        }
        std::cout << o.dump(true) << "\n";
    } else {
        std::string column_name = v.column_id;
        auto b = load_board(ctx, keys, ref.value().board_id, true);
        if (b)
            for (const auto &col : b.value().columns)
                if (col.id == v.column_id) column_name = col.name;
        print_card(v, column_name);
        print_card_parts(std::cout, parts.value());
    }
    return report_decrypt_errors(errors);
}

Status cmd_card_edit(Ctx &ctx) {
    if (ctx.args.pos.size() != 1)
        return fail(kUsage, "usage: mskanban card edit CARD_ID [--title T] [--description D | --no-description] [--due DATE | --no-due]");
    if (ctx.args.has("description") && ctx.args.has("no-description"))
        return fail(kUsage, "give --description or --no-description, not both");
    const std::string &id = ctx.args.pos[0];
    auto ref = fetch_card(ctx, id);
    if (!ref) return ref.failure();
    Keyring keys(ctx);
    auto bk = keys.board_key(ref.value().board_id);
    if (!bk) return bk.failure();
    Json body = object();
    if (ctx.args.has("title")) body.set("encTitle", encrypt(*bk.value(), c::aad::card(id), ctx.args.get("title")));
    // --no-description and --description '' both clear it to null (docs/client.md).
    if (ctx.args.has("no-description") || (ctx.args.has("description") && ctx.args.get("description").empty()))
        body.set("encDescription", Json::own(json_null()));
    else if (ctx.args.has("description"))
        body.set("encDescription", encrypt(*bk.value(), c::aad::card(id), ctx.args.get("description")));
    if (ctx.args.has("due")) {
        auto due = due_date(ctx.args.get("due"));
        if (!due) return due.failure();
        body.set("dueAt", due.value());
    }
    if (ctx.args.has("no-due")) body.set("dueAt", Json::own(json_null()));
    if (json_object_size(body.get()) == 0) return fail(kUsage, "nothing to change: give --title, --description, --no-description, --due or --no-due");
    auto r = ctx.api->patch("/cards/" + url_escape(id), body);
    if (!r) return r.failure();
    return done(ctx, id, "Updated card " + id + ".");
}

Status cmd_card_move(Ctx &ctx) {
    if (ctx.args.pos.size() != 2) return fail(kUsage, "usage: mskanban card move CARD_ID COLUMN [--before CARD_ID | --after CARD_ID]");
    const std::string &id = ctx.args.pos[0];
    auto ref = fetch_card(ctx, id);
    if (!ref) return ref.failure();
    Keyring keys(ctx);
    auto b = load_board(ctx, keys, ref.value().board_id, false);
    if (!b) return b.failure();
    auto idx = find_column(b.value(), ctx.args.pos[1]);
    if (!idx) return idx.failure();
    const ColumnView &col = b.value().columns[idx.value()];
    Json body = object();
    body.set("toColumnId", col.id);
    if (ctx.args.has("before")) body.set("beforeCardId", ctx.args.get("before"));
    else if (ctx.args.has("after")) body.set("afterCardId", ctx.args.get("after"));
    else
        for (auto it = col.cards.rbegin(); it != col.cards.rend(); ++it)
            if (it->id != id) { body.set("afterCardId", it->id); break; }
    auto r = ctx.api->patch("/cards/" + url_escape(id) + "/move", body);
    if (!r) return r.failure();
    return done(ctx, id, "Moved card " + id + " to \"" + safe_line(col.name) + "\".");
}

Status cmd_card_archive(Ctx &ctx) {
    if (ctx.args.pos.size() != 1) return fail(kUsage, "usage: mskanban card archive CARD_ID [--undo]");
    Json body = object();
    body.set("archived", Json::own(json_boolean(!ctx.args.has("undo"))));
    auto r = ctx.api->patch("/cards/" + url_escape(ctx.args.pos[0]), body);
    if (!r) return r.failure();
    return done(ctx, ctx.args.pos[0], (ctx.args.has("undo") ? "Restored card " : "Archived card ") + ctx.args.pos[0] + ".");
}

Status cmd_card_rm(Ctx &ctx) {
    if (ctx.args.pos.size() != 1) return fail(kUsage, "usage: mskanban card rm CARD_ID");
    auto r = ctx.api->del("/cards/" + url_escape(ctx.args.pos[0]));
    if (!r) return r.failure();
    return done(ctx, ctx.args.pos[0], "Deleted card " + ctx.args.pos[0] + ".");
}

}  // namespace mskanban::cli
