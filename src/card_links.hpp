// Links between a card and another object of its board or workspace: labels
// (card_labels) and assignees (card_assignees). Attaching and detaching are idempotent: attaching
// what is attached, or detaching what is not, changes nothing and records no activity.
// The other object must belong to the card's board (a label) or workspace (a member);
// otherwise 400, whether it exists elsewhere or not. A change records one activity row,
// bumps the board's version (triggers) and queues the board tick, in the request's
// transaction.
#pragma once

#include <string>

#include "authz.hpp"
#include "cards.hpp"
#include "db.hpp"
#include "error.hpp"

namespace msk {

class Redis;

// One kind of link: its queries (src/queries/*.sql) and how the feed names it.
struct LinkKind {
    const char *field;         // the request field naming the other object, e.g. "labelId"
    const char *what;          // what it must be, for the 400: "a label of this card's board"
    const char *belongs_query; // ($1 other id, $2 board id): a row when it may be linked
    const char *insert_query;  // ($1 board, $2 card, $3 other): a row when newly linked
    const char *delete_query;  // ($1 board, $2 card, $3 other): a row when unlinked
    const char *added_verb, *removed_verb;
    // Called when a link is newly added (assignees: notifies the user), or nullptr.
    void (*on_added)(Tx &tx, const Grant &g, const std::string &actor, const std::string &other_id,
                     const std::string &card_id) = nullptr;
};

extern const LinkKind kCardLabel;
extern const LinkKind kCardAssignee;

// Attaches (`attach`) or detaches `other_id` to or from card `card_id`; answers the card.
Result<Card> set_card_link(Tx &tx, Redis &redis, const std::string &user_id, const std::string &card_id,
                           const std::string &other_id, const LinkKind &kind, bool attach);

}  // namespace msk
