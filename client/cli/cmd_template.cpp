// Card template commands: template save|list|apply|rm. A template is one
// envelope under the Board Key bound to template:<id> holding the card's
// title, description, checklists and labels (template_body.hpp); the server
// stores it and cannot read it, so `apply` builds the card here through the
// ordinary routes: the card, then its checklists and items, then its labels.
#include <iostream>

#include "board_data.hpp"
#include "card_parts.hpp"
#include "commands.hpp"
#include "created.hpp"
#include "crypto/aad.hpp"
#include "resolve.hpp"
#include "safe_text.hpp"
#include "template_body.hpp"

namespace mskanban::cli {

namespace c = mskanban::crypto;

namespace {

struct TemplateView {
    std::string id;
    TemplateBody body;
    bool ok = false;
};

Outcome<std::vector<TemplateView>> load_templates(Ctx &ctx, const c::SecretBytes &bk, const std::string &board_id,
                                                  std::vector<std::string> &errors) {
    auto r = ctx.api->get("/boards/" + url_escape(board_id) + "/card-templates");
    if (!r) return r.failure();
    std::vector<TemplateView> out;
    Json list = r.value()["templates"];
    for (size_t i = 0; i < list.size(); i++) {
        TemplateView v;
        v.id = list.at(i).str("id");
        auto text = decrypt(bk, c::aad::card_template(v.id), list.at(i).str("encBody"), "template " + v.id);
        auto body = text ? parse_template(text.value()) : Outcome<TemplateBody>(text.failure());
        if (body) {
            v.body = body.value();
            v.ok = true;
        } else {
            errors.push_back(text ? "template " + v.id + ": " + body.failure().message : text.failure().message);
            v.body.name = kUndecryptable;
        }
        out.push_back(std::move(v));
    }
    return out;
}

Outcome<size_t> find_template(const std::vector<TemplateView> &list, const std::string &key) {
    for (size_t i = 0; i < list.size(); i++)
        if (list[i].id == key) return i;
    size_t found = list.size();
    for (size_t i = 0; i < list.size(); i++) {
        if (!list[i].ok || list[i].body.name != key) continue;
        if (found != list.size()) return fail(kUsage, "more than one template is named \"" + key + "\": use its id");
        found = i;
    }
    if (found == list.size()) return fail(kUsage, "no template \"" + key + "\" (see: mskanban template list BOARD_ID)");
    if (!list[found].ok) return fail(kDecrypt, "template " + list[found].id + " cannot be read");
    return found;
}

// POST one object whose ciphertext is bound to the id chosen here.
Status create(Ctx &ctx, const std::string &path, Json body, const char *key, const std::string &id) {
    body.set("id", id);
    auto made = post_created(*ctx.api, path, body, key, id);
    if (!made) return made.failure();
    return ok_status();
}

}  // namespace

// From an existing card: its title, description, checklists (item texts) and labels.
Status cmd_template_save(Ctx &ctx) {
    if (ctx.args.pos.size() != 1) return fail(kUsage, "usage: mskanban template save CARD_ID [--name NAME]");
    const std::string &card_id = ctx.args.pos[0];
    Keyring keys(ctx);
    Json card;
    std::string board_id;
    auto bk = card_board_key(ctx, keys, card_id, &card, &board_id);
    if (!bk) return bk.failure();
    std::vector<std::string> errors;
    CardView v = card_view(*bk.value(), card, errors);
    auto lists = load_checklists(ctx, *bk.value(), card_id, errors);
    if (!lists) return lists.failure();
    if (!errors.empty()) return report_decrypt_errors(errors);  // never save "[cannot decrypt]" as text

    TemplateBody t;
    t.title = v.title;
    t.description = v.has_description ? v.description : "";
    t.name = ctx.args.has("name") ? ctx.args.get("name") : v.title;
    for (const auto &l : lists.value()) {
        TemplateChecklist cl{l.title, {}};
        for (const auto &i : l.items) cl.items.push_back(i.text);
        t.checklists.push_back(std::move(cl));
    }
    Json labels = card["labelIds"];
    for (size_t i = 0; i < labels.size(); i++)
        if (const char *s = json_string_value(labels.at(i).get())) t.label_ids.push_back(s);

    std::string id = new_id();
    Json body = object();
    body.set("encBody", encrypt(*bk.value(), c::aad::card_template(id), template_plaintext(t)));
    auto made = create(ctx, "/boards/" + url_escape(board_id) + "/card-templates", body, "template", id);
    if (!made) return made.failure();
    return print_done(ctx, id, "Saved template " + id + " (\"" + safe_line(t.name) + "\").");
}

Status cmd_template_list(Ctx &ctx) {
    if (ctx.args.pos.size() != 1) return fail(kUsage, "usage: mskanban template list BOARD_ID");
    Keyring keys(ctx);
    auto bk = keys.board_key(ctx.args.pos[0]);
    if (!bk) return bk.failure();
    std::vector<std::string> errors;
    auto list = load_templates(ctx, *bk.value(), ctx.args.pos[0], errors);
    if (!list) return list.failure();
    if (ctx.json) {
        Json out = array();
        for (const auto &v : list.value()) {
            Json o = object();
            o.set("id", v.id);
            o.set("name", v.body.name);
            if (v.ok) {
                o.set("title", v.body.title);
                if (v.body.description.empty()) o.set("description", Json::own(json_null()));
                else o.set("description", v.body.description);
                Json cls = array();
                for (const auto &cl : v.body.checklists) {
                    Json co = object();
                    co.set("title", cl.title);
                    Json items = array();
                    for (const auto &i : cl.items) json_array_append_new(items.get(), json_stringn(i.data(), i.size()));
                    co.set("items", items);
                    json_array_append(cls.get(), co.get());
                }
                o.set("checklists", cls);
                Json labels = array();
                for (const auto &l : v.body.label_ids) json_array_append_new(labels.get(), json_string(l.c_str()));
                o.set("labelIds", labels);
            }
            json_array_append(out.get(), o.get());
        }
        std::cout << out.dump(true) << "\n";
    } else if (list.value().empty()) {
        std::cout << "(no templates)\n";
    } else {
        for (const auto &v : list.value()) {
            std::cout << safe_line(v.body.name) << "  (" << safe_line(v.id) << ")\n";
            if (!v.ok) continue;
            size_t items = 0;
            for (const auto &cl : v.body.checklists) items += cl.items.size();
            std::cout << "  title: " << safe_line(v.body.title) << "\n  " << v.body.checklists.size() << " checklist(s), "
                      << items << " item(s), " << v.body.label_ids.size() << " label(s)"
                      << (v.body.description.empty() ? "" : ", a description") << "\n";
        }
    }
    return report_decrypt_errors(errors);
}

// A new card at the bottom of COLUMN, then its checklists, items and labels. Labels
// deleted from the board since the template was saved are skipped with a note.
Status cmd_template_apply(Ctx &ctx) {
    if (ctx.args.pos.size() != 3) return fail(kUsage, "usage: mskanban template apply BOARD_ID TEMPLATE COLUMN [--title T]");
    const std::string &board_id = ctx.args.pos[0];
    Keyring keys(ctx);
    auto b = load_board(ctx, keys, board_id, false);
    if (!b) return b.failure();
    auto col = find_column(b.value(), ctx.args.pos[2]);
    if (!col) return col.failure();
    const c::SecretBytes &bk = *keys.board_key(board_id).value();
    std::vector<std::string> errors;
    auto list = load_templates(ctx, bk, board_id, errors);
    if (!list) return list.failure();
    auto idx = find_template(list.value(), ctx.args.pos[1]);
    if (!idx) return idx.failure();
    const TemplateBody &t = list.value()[idx.value()].body;

    std::string card_id = new_id();
    Json card = object();
    std::string title = ctx.args.has("title") ? ctx.args.get("title") : t.title;
    card.set("encTitle", encrypt(bk, c::aad::card(card_id), title));
    if (!t.description.empty()) card.set("encDescription", encrypt(bk, c::aad::card(card_id), t.description));
    auto made = create(ctx, "/columns/" + url_escape(b.value().columns[col.value()].id) + "/cards", card, "card", card_id);
    if (!made) return made.failure();

    // From here on the card exists: a failure says so, so the person can finish or delete it.
    auto partly = [&](Failure f) {
        f.message = "card " + card_id + " was added, but not all of the template: " + f.message;
        return f;
    };
    for (const auto &cl : t.checklists) {
        std::string cl_id = new_id();
        Json body = object();
        body.set("encTitle", encrypt(bk, c::aad::checklist(cl_id), cl.title));
        auto ok = create(ctx, "/cards/" + url_escape(card_id) + "/checklists", body, "checklist", cl_id);
        if (!ok) return partly(ok.failure());
        for (const auto &text : cl.items) {
            std::string item_id = new_id();
            Json item = object();
            item.set("encText", encrypt(bk, c::aad::checklist_item(item_id), text));
            auto ok_item = create(ctx, "/checklists/" + url_escape(cl_id) + "/items", item, "item", item_id);
            if (!ok_item) return partly(ok_item.failure());
        }
    }
    if (!t.label_ids.empty()) {
        auto labels = ctx.api->get("/boards/" + url_escape(board_id) + "/labels");
        if (!labels) return partly(labels.failure());
        Json have = labels.value()["labels"];
        for (const auto &label_id : t.label_ids) {
            bool exists = false;
            for (size_t i = 0; i < have.size(); i++) exists = exists || have.at(i).str("id") == label_id;
            if (!exists) {
                std::cerr << "mskanban: label " << safe_line(label_id) << " is no longer on the board; skipped\n";
                continue;
            }
            Json body = object();
            body.set("labelId", label_id);
            auto r = ctx.api->post("/cards/" + url_escape(card_id) + "/labels", body);
            if (!r) return partly(r.failure());
        }
    }
    return print_done(ctx, card_id, "Added card " + card_id + " from template \"" + safe_line(t.name) + "\".");
}

Status cmd_template_rm(Ctx &ctx) {
    if (ctx.args.pos.size() != 1) return fail(kUsage, "usage: mskanban template rm TEMPLATE_ID");
    auto r = ctx.api->del("/card-templates/" + url_escape(ctx.args.pos[0]));
    if (!r) return r.failure();
    return print_done(ctx, ctx.args.pos[0], "Deleted template " + ctx.args.pos[0] + ".");
}

}  // namespace mskanban::cli
