// Comments, checklists and custom field values of a card (see card_parts.hpp).
#include "card_parts.hpp"

#include <algorithm>

#include "board_data.hpp"
#include "board_meta.hpp"
#include "crypto/aad.hpp"
#include "field_value.hpp"
#include "resolve.hpp"
#include "safe_text.hpp"

namespace mskanban::cli {

namespace aad = mskanban::crypto::aad;

namespace {

Json strings_json(const std::vector<std::string> &v) {
    Json a = array();
    for (const auto &s : v) json_array_append_new(a.get(), json_stringn(s.data(), s.size()));
    return a;
}

std::vector<std::string> id_list(const Json &list) {
    std::vector<std::string> out;
    for (size_t i = 0; i < list.size(); i++)
        if (const char *s = json_string_value(list.at(i).get())) out.push_back(s);
    return out;
}

// The member's email, else the id itself (a former member), else a note for a deleted account.
std::string email_or_id(const std::vector<MemberView> &members, const std::string &user_id) {
    if (user_id.empty()) return "(deleted account)";
    for (const auto &m : members)
        if (m.user_id == user_id) return m.email;
    return user_id;
}

}  // namespace

size_t ChecklistView::done() const {
    return static_cast<size_t>(std::count_if(items.begin(), items.end(), [](const ItemView &i) { return i.done; }));
}

Outcome<const crypto::SecretBytes *> card_board_key(Ctx &ctx, Keyring &keys, const std::string &card_id, Json *card,
                                                    std::string *board_id) {
    auto ref = fetch_card(ctx, card_id);
    if (!ref) return ref.failure();
    if (card) *card = ref.value().card;
    if (board_id) *board_id = ref.value().board_id;
    auto bk = keys.board_key(ref.value().board_id);
    if (!bk) return bk.failure();
    return bk.value();
}

Outcome<std::vector<CommentView>> load_comments(Ctx &ctx, const crypto::SecretBytes &bk, const std::string &card_id,
                                                std::vector<std::string> &errors) {
    std::vector<CommentView> out;
    std::string cursor;
    do {
        std::string path = "/cards/" + url_escape(card_id) + "/comments?limit=200";
        if (!cursor.empty()) path += "&after=" + url_escape(cursor);
        auto r = ctx.api->get(path);
        if (!r) return r.failure();
        Json list = r.value()["comments"];
        for (size_t i = 0; i < list.size(); ++i) {
            Json cm = list.at(i);
            CommentView v;
            v.id = cm.str("id");
            v.author_id = cm.str("authorId");
            v.created_at = cm.str("createdAt");
            v.updated_at = cm.str("updatedAt");
            v.text = text_or_mark(bk, aad::comment(v.id), cm.str("encBody"), "comment " + v.id, errors);
            v.mentions = id_list(cm["mentions"]);
            out.push_back(std::move(v));
        }
        cursor = r.value().str("nextCursor");
    } while (!cursor.empty());
    return out;
}

Outcome<std::vector<ChecklistView>> load_checklists(Ctx &ctx, const crypto::SecretBytes &bk, const std::string &card_id,
                                                    std::vector<std::string> &errors) {
    auto r = ctx.api->get("/cards/" + url_escape(card_id) + "/checklists");
    if (!r) return r.failure();
    std::vector<ChecklistView> out;
    Json lists = r.value()["checklists"];
    for (size_t i = 0; i < lists.size(); i++) {
        Json cl = lists.at(i);
        ChecklistView v;
        v.id = cl.str("id");
        v.title = text_or_mark(bk, aad::checklist(v.id), cl.str("encTitle"), "checklist " + v.id + " title", errors);
        Json items = cl["items"];
        for (size_t k = 0; k < items.size(); k++) {
            Json it = items.at(k);
            ItemView iv;
            iv.id = it.str("id");
            iv.text = text_or_mark(bk, aad::checklist_item(iv.id), it.str("encText"), "checklist item " + iv.id, errors);
            iv.done = it.boolean("done");
            v.items.push_back(std::move(iv));
        }
        out.push_back(std::move(v));
    }
    return out;
}

Outcome<std::vector<FieldDef>> load_fields(Ctx &ctx, const crypto::SecretBytes &bk, const std::string &board_id,
                                           std::vector<std::string> &errors) {
    auto r = ctx.api->get("/boards/" + url_escape(board_id) + "/custom-fields");
    if (!r) return r.failure();
    std::vector<FieldDef> out;
    Json list = r.value()["customFields"];
    for (size_t i = 0; i < list.size(); i++) {
        Json f = list.at(i);
        FieldDef d;
        d.id = f.str("id");
        d.type = f.str("type");
        d.name = text_or_mark(bk, aad::custom_field(d.id), f.str("encName"), "custom field " + d.id + " name", errors);
        if (f.has("encOptions")) {
            auto text = decrypt(bk, aad::custom_field(d.id), f.str("encOptions"), "custom field " + d.id + " options");
            auto opts = text ? parse_options(text.value()) : Outcome<std::vector<std::string>>(text.failure());
            if (opts) d.options = opts.value();
            else if (text) errors.push_back("custom field " + d.id + " options: " + opts.failure().message);
            else errors.push_back(text.failure().message);
        }
        out.push_back(std::move(d));
    }
    return out;
}

std::vector<FieldValueView> card_field_values(const crypto::SecretBytes &bk, const Json &card,
                                              const std::vector<FieldDef> &defs, std::vector<std::string> &errors) {
    std::vector<FieldValueView> out;
    Json values = card["customFields"];
    std::string card_id = card.str("id");
    for (const auto &d : defs) {
        std::string env = values.str(d.id.c_str());
        if (env.empty()) continue;
        FieldValueView v;
        v.field_id = d.id;
        v.name = d.name;
        v.type = d.type;
        auto text = decrypt(bk, aad::field_value(card_id, d.id), env, "card " + card_id + " field " + d.id);
        if (text) {
            v.value = text.value();
            v.display = field_display(d.type, v.value, d.options);
        } else {
            errors.push_back(text.failure().message);
            v.value = v.display = kUndecryptable;
        }
        out.push_back(std::move(v));
    }
    return out;
}

Outcome<CardParts> load_card_parts(Ctx &ctx, Keyring &keys, const Json &card, const std::string &board_id,
                                   std::vector<std::string> &errors) {
    auto bk = keys.board_key(board_id);
    if (!bk) return bk.failure();
    auto board = keys.board(board_id);
    if (!board) return board.failure();
    std::string card_id = card.str("id");
    CardParts p;
    auto comments = load_comments(ctx, *bk.value(), card_id, errors);
    if (!comments) return comments.failure();
    p.comments = std::move(comments.value());
    auto members = load_members(ctx, board.value().str("workspaceId"));
    if (!members) return members.failure();
    p.members = std::move(members.value());
    auto lists = load_checklists(ctx, *bk.value(), card_id, errors);
    if (!lists) return lists.failure();
    p.checklists = std::move(lists.value());
    if (json_object_size(card["customFields"].get()) > 0) {
        auto defs = load_fields(ctx, *bk.value(), board_id, errors);
        if (!defs) return defs.failure();
        p.fields = card_field_values(*bk.value(), card, defs.value(), errors);
    }
    return p;
}

void add_card_parts_json(Json &card, const CardParts &parts) {
    size_t done = 0, total = 0;
    for (const auto &l : parts.checklists) { done += l.done(); total += l.items.size(); }
    Json progress = object();
    progress.set("done", Json::own(json_integer(static_cast<json_int_t>(done))));
    progress.set("total", Json::own(json_integer(static_cast<json_int_t>(total))));
    card.set("checklist", progress);
    card.set("checklists", checklists_json(parts.checklists));
    card.set("customFields", field_values_json(parts.fields));
    card.set("comments", comments_json(parts.comments, parts.members));
}

void print_card_parts(std::ostream &os, const CardParts &parts) {
    if (!parts.fields.empty()) {
        os << "  fields:\n";
        print_field_values(os, parts.fields, "    ");
    }
    if (!parts.checklists.empty()) {
        size_t done = 0, total = 0;
        for (const auto &l : parts.checklists) { done += l.done(); total += l.items.size(); }
        os << "  checklists: " << done << "/" << total << " done\n";
        print_checklists(os, parts.checklists, "    ");
    }
    if (!parts.comments.empty()) {
        os << "  comments (" << parts.comments.size() << "):\n";
        print_comments(os, parts.comments, parts.members, "    ");
    }
}

Outcome<size_t> find_checklist(const std::vector<ChecklistView> &lists, const std::string &id_or_title) {
    return find_by_id_or_name(lists, id_or_title, [](const ChecklistView &c) { return c.title; }, "checklist");
}

Outcome<size_t> find_field(const std::vector<FieldDef> &defs, const std::string &id_or_name) {
    return find_by_id_or_name(defs, id_or_name, [](const FieldDef &d) { return d.name; }, "custom field");
}

void print_block(std::ostream &os, const std::string &text, const std::string &indent) {
    std::string safe = safe_text(text);
    for (size_t start = 0; start <= safe.size();) {
        size_t nl = safe.find('\n', start);
        if (nl == std::string::npos) nl = safe.size();
        os << indent << safe.substr(start, nl - start) << "\n";
        start = nl + 1;
    }
}

void print_comments(std::ostream &os, const std::vector<CommentView> &comments, const std::vector<MemberView> &members,
                    const std::string &indent) {
    for (const auto &c : comments) {
        os << indent << safe_line(email_or_id(members, c.author_id)) << "  " << safe_line(c.created_at)
           << (c.updated_at != c.created_at && !c.updated_at.empty() ? " (edited)" : "") << "  (" << safe_line(c.id) << ")\n";
        if (!c.mentions.empty()) {
            os << indent << "  mentions:";
            for (const auto &m : c.mentions) os << " " << safe_line(email_or_id(members, m));
            os << "\n";
        }
        print_block(os, c.text, indent + "    ");
    }
}

void print_checklists(std::ostream &os, const std::vector<ChecklistView> &lists, const std::string &indent) {
    for (const auto &l : lists) {
        os << indent << safe_line(l.title) << " (" << l.done() << "/" << l.items.size() << ")  (" << safe_line(l.id) << ")\n";
        for (const auto &i : l.items)
            os << indent << "  " << (i.done ? "[x] " : "[ ] ") << safe_line(i.text) << "  (" << safe_line(i.id) << ")\n";
    }
}

void print_field_values(std::ostream &os, const std::vector<FieldValueView> &values, const std::string &indent) {
    for (const auto &v : values) os << indent << safe_line(v.name) << ": " << safe_line(v.display) << "\n";
}

Json comments_json(const std::vector<CommentView> &comments, const std::vector<MemberView> &members) {
    Json out = array();
    for (const auto &c : comments) {
        Json o = object();
        o.set("id", c.id);
        o.set("authorId", c.author_id.empty() ? Json::own(json_null()) : Json::own(json_string(c.author_id.c_str())));
        std::string email = email_or_id(members, c.author_id);
        if (email == c.author_id || c.author_id.empty()) o.set("authorEmail", Json::own(json_null()));
        else o.set("authorEmail", email);
        o.set("createdAt", c.created_at);
        o.set("updatedAt", c.updated_at);
        o.set("text", c.text);
        o.set("mentions", strings_json(c.mentions));
        json_array_append(out.get(), o.get());
    }
    return out;
}

Json checklists_json(const std::vector<ChecklistView> &lists) {
    Json out = array();
    for (const auto &l : lists) {
        Json o = object();
        o.set("id", l.id);
        o.set("title", l.title);
        o.set("done", Json::own(json_integer(static_cast<json_int_t>(l.done()))));
        o.set("total", Json::own(json_integer(static_cast<json_int_t>(l.items.size()))));
        Json items = array();
        for (const auto &i : l.items) {
            Json io = object();
            io.set("id", i.id);
            io.set("text", i.text);
            io.set("done", Json::own(json_boolean(i.done)));
            json_array_append(items.get(), io.get());
        }
        o.set("items", items);
        json_array_append(out.get(), o.get());
    }
    return out;
}

Json field_values_json(const std::vector<FieldValueView> &values) {
    Json out = array();
    for (const auto &v : values) {
        Json o = object();
        o.set("id", v.field_id);
        o.set("name", v.name);
        o.set("type", v.type);
        o.set("value", v.value);
        json_array_append(out.get(), o.get());
    }
    return out;
}

}  // namespace mskanban::cli
