// The activity feed. A mutation builds one Event, records it inside its transaction (so
// the row commits or rolls back with the change) and, after commit, publishes it as the
// board's tick (ticks.hpp). Metadata holds only whitelisted plaintext: ids, roles, flags,
// never ciphertext or anything a client encrypted.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db.hpp"
#include "error.hpp"
#include "json.hpp"

namespace msk {

struct Event {
    std::string workspace_id;
    std::string board_id;  // "" for workspace-level events (members, board deletion)
    std::string actor_id;
    std::string verb;  // NOUN_VERB, e.g. CARD_MOVED
    std::string target_type, target_id;
    JsonPtr meta = own(json_object());
    // Filled by record_activity.
    std::string id, created_at;
};

Event make_event(const std::string &workspace_id, const std::string &board_id, const std::string &actor_id,
                 const char *verb, const char *target_type, const std::string &target_id);

// Inserts the activity row in `tx` and fills e.id and e.created_at; notes the event's
// workspace and board as the request's scope (Tx::note_scope). The same statement
// writes a delivery for each of the board's webhooks that takes the verb (the
// transactional outbox). An empty actor_id is stored as none (the job runner's events).
void record_activity(Tx &tx, Event &e);

// The tick / feed JSON for an event: {boardId, verb, actorId, targetType, targetId,
// timestamp, meta}. Caller owns the reference.
json_t *event_json(const Event &e);

struct ActivityPage {
    std::vector<Event> items;
    std::optional<std::string> next_cursor;  // pass as `before` for the next page
};

// A board's feed, newest first. `before` is an opaque cursor from a previous page.
Result<ActivityPage> list_activity(Tx &tx, const std::string &user_id, const std::string &board_id,
                                   const std::optional<std::string> &before, int limit);

}  // namespace msk
