// Cards: an encrypted title and description, a fractional position within a column, and
// the plaintext metadata DESIGN.md allows (dueAt, startAt, archived, milestoneId).
// Inserts and moves take the board's position lock, so concurrent requests at the same
// spot apply one after another and every card keeps a distinct key; a move rewrites one
// row (or, rarely, rebalances the target column).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "db.hpp"
#include "error.hpp"
#include "json.hpp"
#include "sessions.hpp"

namespace msk {

class Redis;

struct Card {
    std::string id, board_id, column_id, enc_title;
    std::optional<std::string> enc_description;
    std::string position;
    std::optional<std::string> due_at, start_at;
    bool archived = false;
    std::optional<std::string> milestone_id, created_by;
    std::string created_at, updated_at;
    int64_t checklist_done = 0, checklist_total = 0;  // its checklist items: done, all
    std::vector<std::string> label_ids;     // in id order
    std::vector<std::string> assignee_ids;  // user ids, in id order
    // Custom field values (sql/010): field id and envelope, in field id order.
    std::vector<std::pair<std::string, std::string>> custom_fields;
};

struct CardChange {
    std::string id;                         // create: the client-chosen id
    std::optional<std::string> enc_title;   // required to create
    Nullable enc_description, due_at, start_at;  // present + value or null (clear)
    std::optional<bool> archived;
    std::optional<std::string> after_id, before_id;  // create: where to insert
    // Update: custom field values to set (an envelope) or remove (nothing); custom_fields.hpp.
    std::vector<std::pair<std::string, std::optional<std::string>>> custom_fields;
};

enum class ArchivedFilter { exclude, include, only };

// The board's cards as the response body `{"cards":[...]}`, written by PostgreSQL in
// one query, with the list's ETag. When `if_none_match` (an If-None-Match header, ""
// for none) names the current ETag, `body` is empty and the list is not read. Access
// is checked first: 404 for a missing board or a non-member, never a 304.
struct CardList {
    std::string etag;
    std::optional<std::string> body;
};
Result<CardList> list_cards(Tx &tx, const SessionQuery &session, const std::string &board_id, ArchivedFilter filter,
                            const std::string &if_none_match);
Result<Card> create_card(Tx &tx, Redis &redis, const std::string &user_id, const std::string &column_id,
                         const CardChange &in);
Result<Card> get_card(Tx &tx, const std::string &user_id, const std::string &card_id);
Result<Card> update_card(Tx &tx, Redis &redis, const std::string &user_id, const std::string &card_id,
                         const CardChange &in);
// The card row as every card answer shows it (no access check: for callers that made one).
Card load_card(pqxx::transaction_base &tx, const std::string &card_id);
Status delete_card(Tx &tx, Redis &redis, const std::string &user_id, const std::string &card_id);
// Moves a card to `to_column_id` (same board; 400 otherwise) after `after_id` and/or
// before `before_id` (cards of that column; 400 when not, 409 when not adjacent), or to
// the end of the column.
Result<Card> move_card(Tx &tx, Redis &redis, const std::string &user_id, const std::string &card_id,
                       const std::string &to_column_id, const std::optional<std::string> &after_id,
                       const std::optional<std::string> &before_id);

}  // namespace msk
