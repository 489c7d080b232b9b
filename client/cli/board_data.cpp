// Loading and decrypting a board (see board_data.hpp).
#include "board_data.hpp"

#include <algorithm>
#include <iostream>

#include "crypto/aad.hpp"
#include "safe_text.hpp"

namespace mskanban::cli {

namespace aad = mskanban::crypto::aad;

const char kUndecryptable[] = "[cannot decrypt]";

std::string text_or_mark(const crypto::SecretBytes &key, const std::string &label, const std::string &env,
                         const std::string &what, std::vector<std::string> &errors) {
    auto r = decrypt(key, label, env, what);
    if (r) return r.value();
    errors.push_back(r.failure().message);
    return kUndecryptable;
}

namespace {

// Positions are fractional keys (strings) or numbers; both sort here.
std::string position_of(const Json &o) {
    json_t *p = json_object_get(o.get(), "position");
    if (json_is_string(p)) return json_string_value(p);
    if (json_is_number(p)) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%020.6f", json_number_value(p));
        return buf;
    }
    return "";
}

std::vector<std::string> id_list(const Json &a) {
    std::vector<std::string> ids;
    for (size_t i = 0; i < a.size(); i++)
        if (const char *id = json_string_value(a.at(i).get())) ids.push_back(id);
    return ids;
}

Json string_array(const std::vector<std::string> &v) {
    Json a = array();
    for (const auto &s : v) json_array_append_new(a.get(), json_stringn(s.data(), s.size()));
    return a;
}

Json string_or_null(const std::string &s) {
    return s.empty() ? Json::own(json_null()) : Json::own(json_stringn(s.data(), s.size()));
}

}  // namespace

ColumnView column_view(const crypto::SecretBytes &bk, const Json &c, std::vector<std::string> &errors) {
    ColumnView cv;
    cv.id = c.str("id");
    cv.name = text_or_mark(bk, aad::column(cv.id), c.str("encName"), "column " + cv.id + " name", errors);
    cv.position = position_of(c);
    cv.wip_limit = c.num("wipLimit");
    cv.is_done = c.boolean("isDone");
    return cv;
}

CardView card_view(const crypto::SecretBytes &bk, const Json &card, std::vector<std::string> &errors) {
    CardView v;
    v.id = card.str("id");
    v.column_id = card.str("columnId");
    v.title = text_or_mark(bk, aad::card(v.id), card.str("encTitle"), "card " + v.id + " title", errors);
    v.has_description = card.has("encDescription");  // null: no description (docs/client.md)
    v.description = text_or_mark(bk, aad::card(v.id), card.str("encDescription"), "card " + v.id + " description", errors);
    v.due_at = card.str("dueAt");
    v.start_at = card.str("startAt");
    v.archived = card.boolean("archived");
    v.position = position_of(card);
    v.label_ids = id_list(card["labelIds"]);
    v.assignee_ids = id_list(card["assigneeIds"]);
    v.milestone_id = card.str("milestoneId");
    return v;
}

Outcome<BoardView> load_board(Ctx &ctx, Keyring &keys, const std::string &board_id, bool include_archived) {
    auto board = keys.board(board_id);
    if (!board) return board.failure();
    auto bk = keys.board_key(board_id);
    if (!bk) return bk.failure();
    const crypto::SecretBytes &key = *bk.value();
    BoardView b;
    b.id = board_id;
    b.workspace_id = board.value().str("workspaceId");
    b.name = text_or_mark(key, aad::board(board_id), board.value().str("encName"), "board " + board_id + " name", b.errors);

    auto cols = ctx.api->get("/boards/" + url_escape(board_id) + "/columns");
    if (!cols) return cols.failure();
    Json col_list = unwrap_list(cols.value(), "columns");
    for (size_t i = 0; i < col_list.size(); i++) b.columns.push_back(column_view(key, col_list.at(i), b.errors));
    std::stable_sort(b.columns.begin(), b.columns.end(),
                     [](const ColumnView &x, const ColumnView &y) { return x.position < y.position; });

    auto cards = ctx.api->get("/boards/" + url_escape(board_id) + "/cards" + (include_archived ? "?archived=true" : ""));
    if (!cards) return cards.failure();
    Json card_list = unwrap_list(cards.value(), "cards");
    for (size_t i = 0; i < card_list.size(); i++) {
        CardView cv = card_view(key, card_list.at(i), b.errors);
        if (cv.archived && !include_archived) continue;
        for (auto &col : b.columns)
            if (col.id == cv.column_id) { col.cards.push_back(std::move(cv)); break; }
    }
    for (auto &col : b.columns)
        std::stable_sort(col.cards.begin(), col.cards.end(),
                         [](const CardView &x, const CardView &y) { return x.position < y.position; });
    return b;
}

Json card_json(const CardView &c) {
    Json o = object();
    o.set("id", c.id);
    o.set("columnId", c.column_id);
    o.set("title", c.title);
    if (c.has_description) o.set("description", c.description);
    else o.set("description", Json::own(json_null()));
    o.set("dueAt", c.due_at.empty() ? Json::own(json_null()) : Json::own(json_string(c.due_at.c_str())));
    o.set("startAt", c.start_at.empty() ? Json::own(json_null()) : Json::own(json_string(c.start_at.c_str())));
    o.set("archived", Json::own(json_boolean(c.archived)));
    o.set("labelIds", string_array(c.label_ids));
    o.set("labels", string_array(c.labels));
    o.set("assigneeIds", string_array(c.assignee_ids));
    o.set("assignees", string_array(c.assignees));
    o.set("milestoneId", string_or_null(c.milestone_id));
    o.set("milestone", string_or_null(c.milestone));
    return o;
}

Json board_json(const BoardView &b) {
    Json o = object();
    o.set("id", b.id);
    o.set("workspaceId", b.workspace_id);
    o.set("name", b.name);
    Json cols = array();
    for (const auto &c : b.columns) {
        Json co = object();
        co.set("id", c.id);
        co.set("name", c.name);
        co.set("wipLimit", c.wip_limit ? Json::own(json_integer(c.wip_limit)) : Json::own(json_null()));
        co.set("isDone", Json::own(json_boolean(c.is_done)));
        Json cards = array();
        for (const auto &card : c.cards) json_array_append(cards.get(), card_json(card).get());
        co.set("cards", cards);
        json_array_append(cols.get(), co.get());
    }
    o.set("columns", cols);
    Json labels = array(), milestones = array();
    for (const auto &l : b.labels) {
        Json lo = object();
        lo.set("id", l.id);
        lo.set("name", l.name);
        lo.set("colour", l.colour);
        json_array_append(labels.get(), lo.get());
    }
    for (const auto &m : b.milestones) {
        Json mo = object();
        mo.set("id", m.id);
        mo.set("name", m.name);
        mo.set("dueAt", string_or_null(m.due_at));
        mo.set("archived", Json::own(json_boolean(m.archived)));
        json_array_append(milestones.get(), mo.get());
    }
    o.set("labels", labels);
    o.set("milestones", milestones);
    if (!b.errors.empty()) {
        Json errs = array();
        for (const auto &e : b.errors) json_array_append_new(errs.get(), json_stringn(e.data(), e.size()));
        o.set("decryptErrors", errs);
    }
    return o;
}

Status report_decrypt_errors(const std::vector<std::string> &errors) {
    if (errors.empty()) return ok_status();
    for (const auto &e : errors) std::cerr << "mskanban: " << safe_line(e) << "\n";
    return fail(kDecrypt, std::to_string(errors.size()) +
                              " field(s) failed to decrypt (tampered ciphertext, wrong key, or text that is not "
                              "UTF-8); they are shown as " + kUndecryptable);
}

}  // namespace mskanban::cli
