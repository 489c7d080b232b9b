// Custom field commands: field add|list|rm define a board's fields, and
// `card set` writes one card's value. The type is plaintext; the name and a
// dropdown's options are encrypted under the Board Key bound to
// custom-field:<id>, a value bound to card:<cardId>/field:<fieldId>
// (docs/client.md). Values are checked against their type here, before
// encryption: the server cannot check what it cannot read (field_value.hpp).
#include <iostream>

#include "board_data.hpp"
#include "card_parts.hpp"
#include "commands.hpp"
#include "created.hpp"
#include "crypto/aad.hpp"
#include "field_value.hpp"
#include "safe_text.hpp"

namespace mskanban::cli {

namespace c = mskanban::crypto;

Status cmd_field_add(Ctx &ctx) {
    const char *usage = "usage: mskanban field add BOARD_ID NAME TYPE [--options \"A,B,C\"]  "
                        "(TYPE: text, number, date, url, checkbox, dropdown)";
    if (ctx.args.pos.size() != 3) return fail(kUsage, usage);
    const std::string &board_id = ctx.args.pos[0], &name = ctx.args.pos[1], &type = ctx.args.pos[2];
    if (!known_field_type(type)) return fail(kUsage, usage);
    if (name.empty()) return fail(kUsage, "a field needs a name");
    if ((type == "dropdown") != ctx.args.has("options"))
        return fail(kUsage, "--options is required for a dropdown, and only for a dropdown");
    std::vector<std::string> options;
    if (type == "dropdown") {
        auto split = split_options(ctx.args.get("options"));
        if (!split) return split.failure();
        options = split.value();
    }
    Keyring keys(ctx);
    auto bk = keys.board_key(board_id);
    if (!bk) return bk.failure();
    std::string id = new_id();
    Json body = object();
    body.set("id", id);
    body.set("type", type);
    body.set("encName", encrypt(*bk.value(), c::aad::custom_field(id), name));
    if (type == "dropdown") body.set("encOptions", encrypt(*bk.value(), c::aad::custom_field(id), options_plaintext(options)));
    auto made = post_created(*ctx.api, "/boards/" + url_escape(board_id) + "/custom-fields", body, "customField", id);
    if (!made) return made.failure();
    return print_done(ctx, id, "Added " + type + " field " + id + ".");
}

Status cmd_field_list(Ctx &ctx) {
    if (ctx.args.pos.size() != 1) return fail(kUsage, "usage: mskanban field list BOARD_ID");
    Keyring keys(ctx);
    auto bk = keys.board_key(ctx.args.pos[0]);
    if (!bk) return bk.failure();
    std::vector<std::string> errors;
    auto defs = load_fields(ctx, *bk.value(), ctx.args.pos[0], errors);
    if (!defs) return defs.failure();
    if (ctx.json) {
        Json out = array();
        for (const auto &d : defs.value()) {
            Json o = object();
            o.set("id", d.id);
            o.set("name", d.name);
            o.set("type", d.type);
            if (d.type == "dropdown") {
                Json opts = array();
                for (const auto &opt : d.options) json_array_append_new(opts.get(), json_stringn(opt.data(), opt.size()));
                o.set("options", opts);
            }
            json_array_append(out.get(), o.get());
        }
        std::cout << out.dump(true) << "\n";
    } else if (defs.value().empty()) {
        std::cout << "(no custom fields)\n";
    } else {
        for (const auto &d : defs.value()) {
            std::cout << safe_line(d.name) << "  " << safe_line(d.type) << "  (" << safe_line(d.id) << ")\n";
            if (d.type == "dropdown") {
                std::cout << "  options:";
                for (const auto &opt : d.options) std::cout << " [" << safe_line(opt) << "]";
                std::cout << "\n";
            }
        }
    }
    return report_decrypt_errors(errors);
}

Status cmd_field_rm(Ctx &ctx) {
    if (ctx.args.pos.size() != 1) return fail(kUsage, "usage: mskanban field rm FIELD_ID");
    auto r = ctx.api->del("/custom-fields/" + url_escape(ctx.args.pos[0]));
    if (!r) return r.failure();
    return print_done(ctx, ctx.args.pos[0], "Deleted field " + ctx.args.pos[0] + " and every card's value for it.");
}

// FIELD is the field's id or name. An empty VALUE, or --clear without one, removes the value.
Status cmd_card_set(Ctx &ctx) {
    const char *usage = "usage: mskanban card set CARD_ID FIELD VALUE | card set CARD_ID FIELD --clear";
    bool clear = ctx.args.has("clear");
    if (ctx.args.pos.size() != (clear ? 2u : 3u)) return fail(kUsage, usage);
    const std::string &card_id = ctx.args.pos[0];
    Keyring keys(ctx);
    std::string board_id;
    auto bk = card_board_key(ctx, keys, card_id, nullptr, &board_id);
    if (!bk) return bk.failure();
    std::vector<std::string> errors;
    auto defs = load_fields(ctx, *bk.value(), board_id, errors);
    if (!defs) return defs.failure();
    auto idx = find_field(defs.value(), ctx.args.pos[1]);
    if (!idx) return idx.failure();
    const FieldDef &def = defs.value()[idx.value()];
    if (def.type == "dropdown" && !errors.empty()) return report_decrypt_errors(errors);  // cannot check the value

    Json values = object();
    std::string what;
    if (clear || ctx.args.pos[2].empty()) {
        values.set(def.id.c_str(), Json::own(json_null()));
        what = "Cleared \"" + safe_line(def.name) + "\" on card " + card_id + ".";
    } else {
        auto value = field_input(def.type, ctx.args.pos[2], def.options);
        if (!value) return value.failure();
        values.set(def.id.c_str(), Json::own(json_string(
                                       encrypt(*bk.value(), c::aad::field_value(card_id, def.id), value.value()).c_str())));
        what = "Set \"" + safe_line(def.name) + "\" on card " + card_id + " to " +
               safe_line(field_display(def.type, value.value(), def.options)) + ".";
    }
    Json body = object();
    body.set("customFields", values);
    auto r = ctx.api->patch("/cards/" + url_escape(card_id), body);
    if (!r) return r.failure();
    return print_done(ctx, card_id, what);
}

}  // namespace mskanban::cli
