// Milestones: a board's release points. The name is client ciphertext (AAD
// `milestone:<id>`); the due date and the archived flag are plaintext. A card carries at
// most one milestone of its own board (`PUT /cards/:id/milestone`); deleting a milestone
// clears it from its cards (the schema's foreign key, sql/009). Every change takes the
// board's lock, records an activity row and queues the board tick in the request's
// transaction; the board's version (and so its lists' ETags) changes with it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cards.hpp"
#include "db.hpp"
#include "error.hpp"
#include "json.hpp"

namespace msk {

class Redis;

struct Milestone {
    std::string id, board_id, enc_name;
    std::optional<std::string> due_at;
    bool archived = false;
    std::optional<std::string> created_by;
    std::string created_at, updated_at;
};

struct MilestoneChange {
    std::string id;                       // create: the client-chosen id
    std::optional<std::string> enc_name;  // required to create
    Nullable due_at;                      // present + a time or null (clear)
    std::optional<bool> archived;         // update only
};

// The board's milestones; archived ones only when `archived`.
Result<std::vector<Milestone>> list_milestones(Tx &tx, const std::string &user_id, const std::string &board_id,
                                               bool archived);
Result<Milestone> create_milestone(Tx &tx, Redis &redis, const std::string &user_id, const std::string &board_id,
                                   const MilestoneChange &in);
Result<Milestone> update_milestone(Tx &tx, Redis &redis, const std::string &user_id, const std::string &milestone_id,
                                   const MilestoneChange &in);
Status delete_milestone(Tx &tx, Redis &redis, const std::string &user_id, const std::string &milestone_id);

// Sets card `card_id`'s milestone to `milestone_id` (a milestone of the card's board,
// else 400) or clears it (nullopt). Setting what the card has is a no-op without an
// activity row. Answers the card.
Result<Card> set_card_milestone(Tx &tx, Redis &redis, const std::string &user_id, const std::string &card_id,
                                const std::optional<std::string> &milestone_id);

}  // namespace msk
