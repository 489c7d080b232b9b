// Column commands, each within a board (the Board Key encrypts the name):
// add, rename, rm. A column is named by its id or its name.
#include <iostream>

#include "board_data.hpp"
#include "commands.hpp"
#include "crypto/aad.hpp"
#include "resolve.hpp"
#include "safe_text.hpp"

namespace mskanban::cli {

namespace c = mskanban::crypto;

Outcome<std::string> add_column(Ctx &ctx, const std::string &board_id, const c::SecretBytes &bk,
                                const std::string &name, long long wip, bool done);

namespace {
std::string id_json(const std::string &id, bool deleted = false) {
    Json o = object();
    o.set("id", id);
    if (deleted) o.set("deleted", Json::own(json_true()));
    return o.dump(true);
}
}  // namespace

Status cmd_column_add(Ctx &ctx) {
    if (ctx.args.pos.size() != 2) return fail(kUsage, "usage: mskanban column add BOARD_ID NAME [--wip N] [--done]");
    Keyring keys(ctx);
    auto bk = keys.board_key(ctx.args.pos[0]);
    if (!bk) return bk.failure();
    long long wip = ctx.args.has("wip") ? std::atoll(ctx.args.get("wip").c_str()) : 0;
    auto id = add_column(ctx, ctx.args.pos[0], *bk.value(), ctx.args.pos[1], wip, ctx.args.has("done"));
    if (!id) return id.failure();
    if (ctx.json) std::cout << id_json(id.value()) << "\n";
    else std::cout << "Added column " << id.value() << " \"" << safe_line(ctx.args.pos[1]) << "\".\n";
    return ok_status();
}

Status cmd_column_rename(Ctx &ctx) {
    if (ctx.args.pos.size() != 3) return fail(kUsage, "usage: mskanban column rename BOARD_ID COLUMN NEW_NAME");
    Keyring keys(ctx);
    auto b = load_board(ctx, keys, ctx.args.pos[0], false);
    if (!b) return b.failure();
    auto idx = find_column(b.value(), ctx.args.pos[1]);
    if (!idx) return idx.failure();
    const std::string &col_id = b.value().columns[idx.value()].id;
    Json body = object();
    body.set("encName", encrypt(*keys.board_key(ctx.args.pos[0]).value(), c::aad::column(col_id), ctx.args.pos[2]));
    if (ctx.args.has("wip")) body.set("wipLimit", Json::own(json_integer(std::atoll(ctx.args.get("wip").c_str()))));
    if (ctx.args.has("done")) body.set("isDone", Json::own(json_true()));
    if (ctx.args.has("not-done")) body.set("isDone", Json::own(json_false()));
    auto r = ctx.api->patch("/columns/" + url_escape(col_id), body);
    if (!r) return r.failure();
    if (!ctx.json) std::cout << "Renamed column " << safe_line(col_id) << " to \"" << safe_line(ctx.args.pos[2]) << "\".\n";
    else std::cout << id_json(col_id) << "\n";
    return ok_status();
}

Status cmd_column_rm(Ctx &ctx) {
    if (ctx.args.pos.size() != 2) return fail(kUsage, "usage: mskanban column rm BOARD_ID COLUMN [--move-to COLUMN]");
    Keyring keys(ctx);
    auto b = load_board(ctx, keys, ctx.args.pos[0], false);
    if (!b) return b.failure();
    auto idx = find_column(b.value(), ctx.args.pos[1]);
    if (!idx) return idx.failure();
    const ColumnView &col = b.value().columns[idx.value()];
    std::string path = "/columns/" + url_escape(col.id);
    if (ctx.args.has("move-to")) {
        auto to = find_column(b.value(), ctx.args.get("move-to"));
        if (!to) return to.failure();
        path += "?moveCardsTo=" + url_escape(b.value().columns[to.value()].id);
    }
    auto r = ctx.api->del(path);
    if (!r) {
        if (r.failure().http_status == 409 && !ctx.args.has("move-to"))
            return fail(kGeneral, "column \"" + col.name + "\" still has " + std::to_string(col.cards.size()) +
                                      " card(s) (and maybe archived ones): delete it with --move-to COLUMN to move them");
        return r.failure();
    }
    if (!ctx.json) std::cout << "Deleted column " << safe_line(col.id) << " \"" << safe_line(col.name) << "\".\n";
    else std::cout << id_json(col.id, true) << "\n";
    return ok_status();
}

}  // namespace mskanban::cli
