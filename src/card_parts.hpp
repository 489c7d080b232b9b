// What the objects that hang off a card (comments, checklists, checklist items) share:
// access through their card, the event every change records, and placement among
// siblings by fractional key. A write authorizes on the card (viewers get 403, a
// non-member the same 404 as a missing id) and then takes the board's lock, in the lock
// order of boards.hpp; the activity row and the board tick go in the request's
// transaction and carry ids only.
#pragma once

#include <optional>
#include <string>

#include "authz.hpp"
#include "db.hpp"
#include "error.hpp"
#include "json.hpp"

namespace msk {

class Redis;

struct PartAccess {
    Grant grant;
    std::string card_id;
    std::optional<std::string> author_id;  // comments: the author (null once deleted)
};

// Access to card `card_id` for its parts; a write also takes the board's lock.
Result<PartAccess> authorize_card_parts(Tx &tx, const std::string &user_id, const std::string &card_id, Need need);
// Access to the part `id` found by query `owner_query` (a row with "card_id" and, for
// "author_id", null but for comments); 404 "no such <what>" for a missing or malformed id.
Result<PartAccess> authorize_card_part(Tx &tx, const std::string &user_id, const char *owner_query,
                                       const std::string &id, Need need, const char *what);

// Records `verb` on `target_type` `target_id` with meta {cardId, ...`meta`} and queues
// the board's tick after commit.
void card_part_event(Tx &tx, Redis &redis, const PartAccess &a, const std::string &user_id, const char *verb,
                     const char *target_type, const std::string &target_id, json_t *meta = nullptr);

// The key for item `self_id` among the children of `parent_id` (query `positions_query`
// lists (id, position) without self; `set_query` rewrites keys on a rebalance).
struct PlaceIn {
    const char *positions_query, *set_query;
    const char *after_field, *before_field;
};
Result<std::string> place_part(pqxx::transaction_base &tx, const PlaceIn &q, const std::string &parent_id,
                               const std::string &self_id, const std::optional<std::string> &after_id,
                               const std::optional<std::string> &before_id);

}  // namespace msk
