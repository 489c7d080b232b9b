// Label commands: add, list, rename (and recolour), rm. A label belongs to one
// board: its name is encrypted under the Board Key bound to label:<id> (so the
// id is chosen here), its colour is plaintext (a palette name or #rrggbb,
// checked by the server). LABEL is a label id or its (decrypted) name.
#include <cctype>
#include <iostream>

#include "board_meta.hpp"
#include "commands.hpp"
#include "created.hpp"
#include "crypto/aad.hpp"
#include "done.hpp"
#include "safe_text.hpp"

namespace mskanban::cli {

namespace c = mskanban::crypto;

namespace {

// --colour, or its American spelling; lower case (the server answers in lower case).
std::string colour_arg(const Ctx &ctx, const std::string &dflt) {
    std::string v = ctx.args.has("colour") ? ctx.args.get("colour") : ctx.args.get("color", dflt);
    for (auto &ch : v) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return v;
}

// The Board Key of `board_id` (held by `keys`) and the label `key` names there.
struct BoardLabel {
    const c::SecretBytes *key;
    LabelView label;
};
Outcome<BoardLabel> board_label(Ctx &ctx, Keyring &keys, const std::string &board_id, const std::string &key) {
    auto bk = keys.board_key(board_id);
    if (!bk) return bk.failure();
    std::vector<std::string> errors;
    auto labels = load_labels(ctx, *bk.value(), board_id, errors);
    if (!labels) return labels.failure();
    auto label = find_label(labels.value(), key);
    if (!label) return label.failure();
    return BoardLabel{bk.value(), label.value()};
}

}  // namespace

Status cmd_label_add(Ctx &ctx) {
    if (ctx.args.pos.size() != 2) return fail(kUsage, "usage: mskanban label add BOARD_ID NAME [--colour C]");
    const std::string &board_id = ctx.args.pos[0], &name = ctx.args.pos[1];
    Keyring keys(ctx);
    auto bk = keys.board_key(board_id);
    if (!bk) return bk.failure();
    std::string id = new_id();
    Json body = object();
    body.set("id", id);
    body.set("encName", encrypt(*bk.value(), c::aad::label(id), name));
    body.set("colour", colour_arg(ctx, "gray"));
    auto made = post_created(*ctx.api, "/boards/" + url_escape(board_id) + "/labels", body, "label", id);
    if (!made) return made.failure();
    return print_done(ctx, id, "Added label " + id + " \"" + safe_line(name) + "\" (" + safe_line(made.value().str("colour")) + ").");
}

Status cmd_label_list(Ctx &ctx) {
    if (ctx.args.pos.size() != 1) return fail(kUsage, "usage: mskanban label list BOARD_ID");
    const std::string &board_id = ctx.args.pos[0];
    Keyring keys(ctx);
    auto bk = keys.board_key(board_id);
    if (!bk) return bk.failure();
    std::vector<std::string> errors;
    auto labels = load_labels(ctx, *bk.value(), board_id, errors);
    if (!labels) return labels.failure();
    Json out = array();
    for (const auto &l : labels.value()) {
        if (ctx.json) {
            Json o = object();
            o.set("id", l.id);
            o.set("name", l.name);
            o.set("colour", l.colour);
            json_array_append(out.get(), o.get());
        } else {
            std::cout << safe_line(l.id) << "  " << safe_line(l.colour) << "  " << safe_line(l.name) << "\n";
        }
    }
    if (ctx.json) std::cout << out.dump(true) << "\n";
    else if (labels.value().empty()) std::cout << "No labels yet: mskanban label add " << safe_line(board_id) << " NAME\n";
    return report_decrypt_errors(errors);
}

Status cmd_label_rename(Ctx &ctx) {
    size_t n = ctx.args.pos.size();
    bool recolour = ctx.args.has("colour") || ctx.args.has("color");
    if (n != 3 && !(n == 2 && recolour))
        return fail(kUsage, "usage: mskanban label rename BOARD_ID LABEL [NEW_NAME] [--colour C]");
    Keyring keys(ctx);
    auto found = board_label(ctx, keys, ctx.args.pos[0], ctx.args.pos[1]);
    if (!found) return found.failure();
    const std::string id = found.value().label.id;
    Json body = object();
    if (n == 3) body.set("encName", encrypt(*found.value().key, c::aad::label(id), ctx.args.pos[2]));
    if (recolour) body.set("colour", colour_arg(ctx, ""));
    auto r = ctx.api->patch("/labels/" + url_escape(id), body);
    if (!r) return r.failure();
    return print_done(ctx, id, "Updated label " + safe_line(id) + ".");
}

Status cmd_label_rm(Ctx &ctx) {
    if (ctx.args.pos.size() != 2) return fail(kUsage, "usage: mskanban label rm BOARD_ID LABEL");
    Keyring keys(ctx);
    auto found = board_label(ctx, keys, ctx.args.pos[0], ctx.args.pos[1]);
    if (!found) return found.failure();
    const std::string id = found.value().label.id;
    auto r = ctx.api->del("/labels/" + url_escape(id));
    if (!r) return r.failure();
    return print_done(ctx, id, "Deleted label " + safe_line(id) + " (and took it off its cards).");
}

}  // namespace mskanban::cli
