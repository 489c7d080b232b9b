// Cards (see cards.hpp). Queries in src/queries/cards.sql.
#include "cards.hpp"

#include "activity.hpp"
#include "authz.hpp"
#include "body_cache.hpp"
#include "boards.hpp"
#include "custom_fields.hpp"
#include "ids.hpp"
#include "list_versions.hpp"
#include "positions.hpp"
#include "ticks.hpp"

namespace msk {

namespace {

Card card_from(const pqxx::row &r) {
    Card c;
    c.id = r["id"].as<std::string>();
    c.board_id = r["board_id"].as<std::string>();
    c.column_id = r["column_id"].as<std::string>();
    c.enc_title = r["enc_title"].as<std::string>();
    c.enc_description = opt_str(r, "enc_description");
    c.position = r["position"].as<std::string>();
    c.due_at = opt_str(r, "due_at");
    c.start_at = opt_str(r, "start_at");
    c.archived = r["archived"].as<bool>();
    c.milestone_id = opt_str(r, "milestone_id");
    c.created_by = opt_str(r, "created_by");
    c.created_at = r["created_at"].as<std::string>();
    c.updated_at = r["updated_at"].as<std::string>();
    // "done,total" from msk_card_checklist() (sql/008)
    std::string progress = r["checklist"].as<std::string>();
    size_t comma = progress.find(',');
    c.checklist_done = std::stoll(progress.substr(0, comma));
    c.checklist_total = std::stoll(progress.substr(comma + 1));
    c.label_ids = split_ids(r["label_ids"].as<std::string>());
    c.assignee_ids = split_ids(r["assignee_ids"].as<std::string>());
    // {fieldId: envelope} from msk_card_custom_fields() (sql/010)
    std::string fields = r["custom_fields"].as<std::string>();
    JsonPtr obj(json_loadb(fields.data(), fields.size(), 0, nullptr));
    const char *field_id;
    json_t *value;
    json_object_foreach(obj.get(), field_id, value) c.custom_fields.emplace_back(field_id, json_string_value(value));
    return c;
}

// Where a card goes in `column_id` (without `card_id` itself); applies any rebalance.
Result<std::string> place_card(pqxx::transaction_base &tx, const std::string &column_id, const std::string &card_id,
                               const std::optional<std::string> &after_id,
                               const std::optional<std::string> &before_id) {
    std::vector<Sibling> siblings;
    for (const auto &row : tx.exec_prepared("card_positions", column_id, card_id))
        siblings.push_back({row["id"].as<std::string>(), row["position"].as<std::string>(), row["archived"].as<bool>()});
    auto p = place_item(siblings, after_id, before_id, "afterCardId", "beforeCardId");
    if (!p) return p.error();
    if (!p->rewrites.empty()) {
        auto lists = joined_pairs(p->rewrites);
        tx.exec_prepared("card_set_positions", lists.first, lists.second);
    }
    return p->key;
}

void set_fields_meta(Event &ev, const CardChange &in) {
    json_t *fields = json_array();
    if (in.enc_title) json_array_append_new(fields, json_string("encTitle"));
    if (in.enc_description.present) json_array_append_new(fields, json_string("encDescription"));
    if (in.due_at.present) json_array_append_new(fields, json_string("dueAt"));
    if (in.start_at.present) json_array_append_new(fields, json_string("startAt"));
    if (in.archived) json_array_append_new(fields, json_string("archived"));
    if (!in.custom_fields.empty()) {
        json_array_append_new(fields, json_string("customFields"));
        json_t *ids = json_array();
        for (const auto &v : in.custom_fields) json_array_append_new(ids, json_string(v.first.c_str()));
        json_object_set_new(ev.meta.get(), "customFieldIds", ids);
    }
    json_object_set_new(ev.meta.get(), "fields", fields);
}

}  // namespace

Result<CardList> list_cards(Tx &tx, const SessionQuery &session, const std::string &board_id, ArchivedFilter filter,
                            const std::string &if_none_match) {
    // The session, the membership and the version in one statement: a 304 costs that one
    // round trip. The version is read before the list: a change committed in between
    // gives a body newer than its ETag (refetched once more later), never an ETag newer
    // than its body. A malformed id matches no board (the session is still checked first).
    auto v = session.run(tx, "board_version_by_session", "board_version", is_valid_id(board_id) ? board_id : "");
    auto st = session.accept(v);
    if (!st) return st.error();
    if (v.empty() || v[0]["version"].is_null()) return not_found("no such board");
    const char *mode = filter == ArchivedFilter::exclude ? "exclude" : filter == ArchivedFilter::only ? "only" : "include";
    CardList out;
    out.etag = list_etag("cards", mode, board_id, v[0]["version"].as<int64_t>());
    if (etag_matches(if_none_match, out.etag)) return out;
    // The body is the same for every member at this version (src/body_cache.hpp). It is
    // read after the version, so a change committed in between stores a body newer than
    // its key: never an older one.
    BodyCache &cache = card_list_cache();
    if (auto hit = cache.get(out.etag)) {
        out.body = *hit;
        return out;
    }
    auto r = tx.exec_prepared("cards_of_board_json", board_id, mode);
    out.body = std::string(r[0][0].c_str(), r[0][0].size());
    cache.put(out.etag, std::make_shared<const std::string>(*out.body));
    return out;
}

Result<Card> create_card(Tx &tx, Redis &redis, const std::string &user_id, const std::string &column_id,
                         const CardChange &in) {
    auto a = authorize_column(tx, user_id, column_id, Need::write);
    if (!a) return a.error();
    lock_board_positions(tx, a->board_id);
    auto pos = place_card(tx, column_id, in.id, in.after_id, in.before_id);
    if (!pos) return pos.error();
    auto r = tx.exec_prepared("card_insert", in.id, a->board_id, column_id, *in.enc_title, in.enc_description.value,
                              *pos, in.due_at.value, in.start_at.value, user_id);
    if (r.empty()) return conflict("a card with this id already exists");
    Card c = card_from(r[0]);
    Event ev = make_event(a->workspace_id, a->board_id, user_id, "CARD_CREATED", "card", c.id);
    json_object_set_new(ev.meta.get(), "columnId", json_string(column_id.c_str()));
    record_activity(tx, ev);
    publish_tick_after_commit(tx, redis, std::move(ev));
    return c;
}

Result<Card> get_card(Tx &tx, const std::string &user_id, const std::string &card_id) {
    auto a = authorize_card(tx, user_id, card_id, Need::read);
    if (!a) return a.error();
    return load_card(tx, card_id);
}

Card load_card(pqxx::transaction_base &tx, const std::string &card_id) {
    return card_from(tx.exec_prepared("card_by_id", card_id)[0]);
}

Result<Card> update_card(Tx &tx, Redis &redis, const std::string &user_id, const std::string &card_id,
                         const CardChange &in) {
    auto a = authorize_card(tx, user_id, card_id, Need::write);
    if (!a) return a.error();
    lock_board_positions(tx, a->board_id);  // the board before the card (lock order)
    auto before = tx.exec_prepared("card_archived_for_update", card_id);
    if (before.empty()) return not_found("no such card");
    bool was_archived = before[0]["archived"].as<bool>();
    if (!in.custom_fields.empty()) {
        auto st = set_card_field_values(tx, a->board_id, card_id, user_id, in.custom_fields);
        if (!st) return st.error();
    }
    auto r = tx.exec_prepared("card_update", card_id, in.enc_title, in.enc_description.present,
                              in.enc_description.value, in.due_at.present, in.due_at.value, in.start_at.present,
                              in.start_at.value, in.archived);
    Card c = card_from(r[0]);
    const char *verb = "CARD_UPDATED";
    if (in.archived && *in.archived != was_archived) verb = *in.archived ? "CARD_ARCHIVED" : "CARD_RESTORED";
    Event ev = make_event(a->workspace_id, a->board_id, user_id, verb, "card", card_id);
    json_object_set_new(ev.meta.get(), "columnId", json_string(c.column_id.c_str()));
    set_fields_meta(ev, in);
    record_activity(tx, ev);
    publish_tick_after_commit(tx, redis, std::move(ev));
    return c;
}

Status delete_card(Tx &tx, Redis &redis, const std::string &user_id, const std::string &card_id) {
    auto a = authorize_card(tx, user_id, card_id, Need::write);
    if (!a) return a.error();
    lock_board_positions(tx, a->board_id);  // the board before the card (lock order)
    if (tx.exec_prepared("card_delete", card_id).empty()) return not_found("no such card");
    Event ev = make_event(a->workspace_id, a->board_id, user_id, "CARD_DELETED", "card", card_id);
    json_object_set_new(ev.meta.get(), "columnId", json_string(a->column_id.c_str()));
    record_activity(tx, ev);
    publish_tick_after_commit(tx, redis, std::move(ev));
    return ok_status();
}

namespace {

// A move's event (the activity row's metadata and the tick's).
Event move_event(const Grant &a, const std::string &user_id, const std::string &card_id,
                 const std::string &from_column, const std::string &to_column_id) {
    Event ev = make_event(a.workspace_id, a.board_id, user_id, "CARD_MOVED", "card", card_id);
    json_object_set_new(ev.meta.get(), "fromColumnId", json_string(from_column.c_str()));
    json_object_set_new(ev.meta.get(), "toColumnId", json_string(to_column_id.c_str()));
    return ev;
}

// The event and tick of a move, once the card is in place.
void record_move(Tx &tx, Redis &redis, const Grant &a, const std::string &user_id, const std::string &card_id,
                 const std::string &from_column, const std::string &to_column_id) {
    Event ev = move_event(a, user_id, card_id, from_column, to_column_id);
    record_activity(tx, ev);
    publish_tick_after_commit(tx, redis, std::move(ev));
}

}  // namespace

Result<Card> move_card(Tx &tx, Redis &redis, const std::string &user_id, const std::string &card_id,
                       const std::string &to_column_id, const std::optional<std::string> &after_id,
                       const std::optional<std::string> &before_id) {
    if (!after_id && !before_id) {
        // To the end of the column: authorization, locks, checks, position, update and
        // the activity row in one statement (sql/019_hot_path_moves.sql). Without an
        // Idempotency-Key the route runs without BEGIN/COMMIT (Route::autocommit), so this
        // statement commits by itself and the board lock is held for no client round
        // trip; the same answers as the general path below.
        if (!is_valid_id(card_id)) return not_found("no such card");
        std::string event_id = new_id();
        auto r = tx.exec_prepared("card_move_end", user_id, card_id, is_valid_id(to_column_id) ? to_column_id : "",
                                  event_id);
        std::string status = r[0]["status"].as<std::string>();
        if (status == "not_found") return not_found("no such card");
        if (status == "viewer") return role_allows(Role::viewer, Need::write).error();
        if (status == "bad_column") return bad_request("\"toColumnId\" does not name a column of this card's board");
        if (status == "ok") {
            Grant a;
            a.workspace_id = r[0]["workspace_id"].as<std::string>();
            a.board_id = r[0]["board_id"].as<std::string>();
            Event ev = move_event(a, user_id, card_id, r[0]["from_column_id"].as<std::string>(), to_column_id);
            ev.id = event_id;
            ev.created_at = r[0]["event_at"].as<std::string>();
            tx.note_scope(a.workspace_id, a.board_id);
            publish_tick_after_commit(tx, redis, std::move(ev));
            return card_from(r[0]);
        }
        // "rebalance": nothing was written; the general path places the card.
    }
    // The general path takes several statements: a transaction (a no-op when the
    // request already runs in one).
    tx.begin();
    auto a = authorize_card(tx, user_id, card_id, Need::write);
    if (!a) return a.error();
    // The board lock (as lock_board_positions), the card read again under it (a
    // concurrent move may have changed its column) and the target column's board: one
    // round trip (card_move_lock).
    auto cur = tx.exec_prepared("card_move_lock", a->board_id, card_id, is_valid_id(to_column_id) ? to_column_id : "");
    if (cur.empty()) return not_found("no such card");
    std::string from_column = cur[0]["column_id"].as<std::string>();
    if (cur[0]["target_board_id"].is_null() || cur[0]["target_board_id"].as<std::string>() != a->board_id)
        return bad_request("\"toColumnId\" does not name a column of this card's board");
    if ((after_id && *after_id == card_id) || (before_id && *before_id == card_id))
        return bad_request("a card cannot be placed next to itself");
    auto pos = place_card(tx, to_column_id, card_id, after_id, before_id);
    if (!pos) return pos.error();
    Card c = card_from(tx.exec_prepared("card_move", card_id, to_column_id, *pos)[0]);
    record_move(tx, redis, *a, user_id, card_id, from_column, to_column_id);
    return c;
}

}  // namespace msk
