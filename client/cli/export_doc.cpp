// Opening an account export (see export_doc.hpp).
#include "export_doc.hpp"

#include <algorithm>
#include <map>

#include "board_data.hpp"
#include "board_meta.hpp"
#include "crypto/aad.hpp"
#include "field_value.hpp"

namespace mskanban::cli {

namespace aad = mskanban::crypto::aad;

namespace {

// The elements of one of the document's lists, grouped by a parent id field.
std::map<std::string, std::vector<Json>> group_by(const Json &list, const char *parent) {
    std::map<std::string, std::vector<Json>> out;
    for (size_t i = 0; i < list.size(); i++) out[list.at(i).str(parent)].push_back(list.at(i));
    return out;
}

const std::vector<Json> &of(const std::map<std::string, std::vector<Json>> &m, const std::string &id) {
    static const std::vector<Json> none;
    auto it = m.find(id);
    return it == m.end() ? none : it->second;
}

Json jstr(const std::string &s) { return Json::own(json_stringn(s.data(), s.size())); }
Json jnull() { return Json::own(json_null()); }
Json copy_or_null(const Json &o, const char *key) { return o.has(key) ? o[key] : jnull(); }

// A decrypted JSON plaintext (attachment metadata, template body) as an object, else the text.
Json text_or_object(const std::string &text) {
    Json j = parse(text);
    return j ? j : jstr(text);
}

struct FieldDef {
    std::string name, type;
    std::vector<std::string> options;
};

// Everything the document holds for one board, grouped for the cards.
struct BoardParts {
    std::map<std::string, std::vector<Json>> checklists, items, comments, attachments;
    std::map<std::string, FieldDef> fields;
};

Json card_extras(const crypto::SecretBytes &bk, const Json &card, const BoardParts &p,
                 const std::map<std::string, std::string> &emails, std::vector<std::string> &errors) {
    std::string card_id = card.str("id");
    Json out = object();
    Json lists = array();
    for (const auto &l : of(p.checklists, card_id)) {
        std::string id = l.str("id");
        Json lo = object();
        lo.set("id", id);
        lo.set("title", text_or_mark(bk, aad::checklist(id), l.str("encTitle"), "checklist " + id + " title", errors));
        std::vector<Json> its = of(p.items, id);
        std::stable_sort(its.begin(), its.end(), [](const Json &a, const Json &b) { return a.str("position") < b.str("position"); });
        Json items = array();
        for (const auto &i : its) {
            std::string iid = i.str("id");
            Json io = object();
            io.set("id", iid);
            io.set("text", text_or_mark(bk, aad::checklist_item(iid), i.str("encText"), "checklist item " + iid, errors));
            io.set("done", Json::own(json_boolean(i.boolean("done"))));
            json_array_append(items.get(), io.get());
        }
        lo.set("items", items);
        json_array_append(lists.get(), lo.get());
    }
    out.set("checklists", lists);
    Json comments = array();
    for (const auto &c : of(p.comments, card_id)) {
        std::string id = c.str("id"), author = c.str("authorId");
        Json co = object();
        co.set("id", id);
        co.set("authorId", copy_or_null(c, "authorId"));
        auto e = emails.find(author);
        co.set("author", e != emails.end() ? jstr(e->second) : jnull());
        co.set("createdAt", c.str("createdAt"));
        co.set("text", text_or_mark(bk, aad::comment(id), c.str("encBody"), "comment " + id, errors));
        json_array_append(comments.get(), co.get());
    }
    out.set("comments", comments);
    Json fields = array();
    const char *fid;
    json_t *env;
    json_object_foreach(card["customFields"].get(), fid, env) {
        std::string field_id = fid;
        Json fo = object();
        fo.set("fieldId", field_id);
        auto def = p.fields.find(field_id);
        std::string value = text_or_mark(bk, aad::field_value(card_id, field_id), json_string_value(env) ? json_string_value(env) : "",
                                         "card " + card_id + " field " + field_id, errors);
        fo.set("name", def != p.fields.end() ? jstr(def->second.name) : jnull());
        fo.set("type", def != p.fields.end() ? jstr(def->second.type) : jnull());
        fo.set("value", value);
        if (def != p.fields.end()) fo.set("display", field_display(def->second.type, value, def->second.options));
        json_array_append(fields.get(), fo.get());
    }
    out.set("customFields", fields);
    Json atts = array();
    for (const auto &a : of(p.attachments, card_id)) {
        std::string id = a.str("id");
        Json ao = object();
        ao.set("id", id);
        ao.set("size", Json::own(json_integer(a.num("size"))));
        ao.set("createdAt", a.str("createdAt"));
        auto meta = decrypt(bk, aad::attachment(id), a.str("encMeta"), "attachment " + id + " metadata");
        if (!meta) errors.push_back(meta.failure().message);
        ao.set("meta", meta ? text_or_object(meta.value()) : jstr(kUndecryptable));
        json_array_append(atts.get(), ao.get());
    }
    out.set("attachments", atts);
    return out;
}

}  // namespace

Outcome<Json> decrypt_export(Keyring &keys, const Json &doc, const std::string &only_workspace,
                             std::vector<std::string> &errors) {
    if (!doc || doc.str("schema") != kExportSchema)
        return fail(kGeneral, std::string("the server's export is not ") + kExportSchema);
    Json wss = doc["workspaces"], boards = doc["boards"];
    for (size_t i = 0; i < wss.size(); i++) keys.remember_workspace(wss.at(i).str("id"), wss.at(i));
    for (size_t i = 0; i < boards.size(); i++) keys.remember_board(boards.at(i).str("id"), boards.at(i));
    auto boards_of = group_by(boards, "workspaceId");
    auto members_of = group_by(doc["members"], "workspaceId");
    auto columns_of = group_by(doc["columns"], "boardId"), cards_of = group_by(doc["cards"], "boardId");
    auto labels_of = group_by(doc["labels"], "boardId"), milestones_of = group_by(doc["milestones"], "boardId");
    auto fields_of = group_by(doc["customFields"], "boardId"), templates_of = group_by(doc["templates"], "boardId");
    auto checklists_of = group_by(doc["checklists"], "boardId"), items_of = group_by(doc["checklistItems"], "boardId");
    auto comments_of = group_by(doc["comments"], "boardId"), attachments_of = group_by(doc["attachments"], "boardId");

    Json out = object();
    out.set("format", "mskanban-export-decrypted/1");
    out.set("source", kExportSchema);
    out.set("exportedAt", doc.str("exportedAt"));
    Json account = object();
    for (const char *k : {"id", "email", "createdAt"}) account.set(k, doc["account"].str(k));
    account.set("totpEnabled", Json::own(json_boolean(doc["account"].boolean("totpEnabled"))));
    out.set("account", account);
    Json out_ws = array();
    for (size_t i = 0; i < wss.size(); i++) {
        Json ws = wss.at(i);
        std::string ws_id = ws.str("id");
        if (!only_workspace.empty() && ws_id != only_workspace) continue;
        Json w = object();
        w.set("id", ws_id);
        w.set("role", ws.str("role"));
        std::vector<MemberView> members;
        std::map<std::string, std::string> emails;
        Json mlist = array();
        for (const auto &m : of(members_of, ws_id)) {
            members.push_back(MemberView{m.str("userId"), m.str("email"), m.str("role")});
            emails[m.str("userId")] = m.str("email");
            Json mo = object();
            for (const char *k : {"userId", "email", "role"}) mo.set(k, m.str(k));
            json_array_append(mlist.get(), mo.get());
        }
        auto wk = keys.workspace_key(ws_id);
        if (!wk) {
            errors.push_back(wk.failure().message);
            w.set("name", kUndecryptable);
            json_array_append(out_ws.get(), w.get());
            continue;
        }
        w.set("name", text_or_mark(*wk.value(), aad::workspace(ws_id), ws.str("encName"), "workspace " + ws_id + " name", errors));
        w.set("members", mlist);
        Json out_boards = array();
        for (const auto &bj : of(boards_of, ws_id)) {
            std::string board_id = bj.str("id");
            auto bk_r = keys.board_key(board_id);
            if (!bk_r) {
                errors.push_back(bk_r.failure().message);
                continue;
            }
            const crypto::SecretBytes &bk = *bk_r.value();
            BoardView b;
            b.id = board_id;
            b.workspace_id = ws_id;
            b.name = text_or_mark(bk, aad::board(board_id), bj.str("encName"), "board " + board_id + " name", b.errors);
            b.members = members;
            for (const auto &c : of(columns_of, board_id)) b.columns.push_back(column_view(bk, c, b.errors));
            std::stable_sort(b.columns.begin(), b.columns.end(),
                             [](const ColumnView &x, const ColumnView &y) { return x.position < y.position; });
            for (const auto &l : of(labels_of, board_id)) b.labels.push_back(label_view(bk, l, b.errors));
            for (const auto &m : of(milestones_of, board_id)) b.milestones.push_back(milestone_view(bk, m, b.errors));
            BoardParts parts;
            // The board's own slices of the flat lists, by card (items by checklist).
            auto slice = [&](const std::map<std::string, std::vector<Json>> &m, const char *parent) {
                std::map<std::string, std::vector<Json>> g;
                for (const auto &o : of(m, board_id)) g[o.str(parent)].push_back(o);
                return g;
            };
            parts.checklists = slice(checklists_of, "cardId");
            parts.items = slice(items_of, "checklistId");
            parts.comments = slice(comments_of, "cardId");
            parts.attachments = slice(attachments_of, "cardId");
            Json out_fields = array();
            for (const auto &f : of(fields_of, board_id)) {
                std::string fid = f.str("id");
                FieldDef d{text_or_mark(bk, aad::custom_field(fid), f.str("encName"), "custom field " + fid + " name", b.errors),
                           f.str("type"), {}};
                if (f.has("encOptions")) {
                    auto opts_text = decrypt(bk, aad::custom_field(fid), f.str("encOptions"), "custom field " + fid + " options");
                    if (!opts_text) b.errors.push_back(opts_text.failure().message);
                    auto opts = opts_text ? parse_options(opts_text.value()) : Outcome<std::vector<std::string>>(std::vector<std::string>{});
                    if (opts) d.options = opts.value();
                    else b.errors.push_back(opts.failure().message);
                }
                Json fo = object();
                fo.set("id", fid);
                fo.set("name", d.name);
                fo.set("type", d.type);
                Json ol = array();
                for (const auto &o : d.options) json_array_append_new(ol.get(), json_stringn(o.data(), o.size()));
                fo.set("options", ol);
                json_array_append(out_fields.get(), fo.get());
                parts.fields[fid] = std::move(d);
            }
            std::map<std::string, Json> extras;
            for (const auto &card : of(cards_of, board_id)) {
                CardView cv = card_view(bk, card, b.errors);
                resolve_card(cv, b);
                extras[cv.id] = card_extras(bk, card, parts, emails, b.errors);
                for (auto &col : b.columns)
                    if (col.id == cv.column_id) { col.cards.push_back(std::move(cv)); break; }
            }
            for (auto &col : b.columns)
                std::stable_sort(col.cards.begin(), col.cards.end(),
                                 [](const CardView &x, const CardView &y) { return x.position < y.position; });
            errors.insert(errors.end(), b.errors.begin(), b.errors.end());
            Json bo = board_json(b);
            // Each card of board_json() gets its checklists, comments, field values, attachments.
            Json cols = bo["columns"];
            for (size_t c = 0; c < cols.size(); c++) {
                Json cards = cols.at(c)["cards"];
                for (size_t n = 0; n < cards.size(); n++) {
                    Json card = cards.at(n);
                    const char *key;
                    json_t *v;
                    json_object_foreach(extras[card.str("id")].get(), key, v) json_object_set(card.get(), key, v);
                }
            }
            bo.set("customFields", out_fields);
            Json tpls = array();
            for (const auto &tj : of(templates_of, board_id)) {
                std::string tid = tj.str("id");
                Json to = object();
                to.set("id", tid);
                auto body = decrypt(bk, aad::card_template(tid), tj.str("encBody"), "template " + tid);
                if (!body) errors.push_back(body.failure().message);
                to.set("body", body ? text_or_object(body.value()) : jstr(kUndecryptable));
                json_array_append(tpls.get(), to.get());
            }
            bo.set("templates", tpls);
            json_array_append(out_boards.get(), bo.get());
        }
        w.set("boards", out_boards);
        json_array_append(out_ws.get(), w.get());
    }
    out.set("workspaces", out_ws);
    out.set("sessions", doc["sessions"]);
    out.set("notifications", doc["notifications"]);
    if (!errors.empty()) {
        Json errs = array();
        for (const auto &e : errors) json_array_append_new(errs.get(), json_stringn(e.data(), e.size()));
        out.set("decryptErrors", errs);
    }
    return out;
}

}  // namespace mskanban::cli
