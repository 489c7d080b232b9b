// Automations: a board's `{when, do}` rules. The body is client ciphertext (clients hold
// the keys and run the actions through ordinary API calls: the client whose claim of the
// triggering event is first acts (src/automation_claims.hpp), each call with an
// Idempotency-Key derived from the automation id and the event id, so a retry acts once).
// The server stores the rule, checks the plaintext trigger type and its whitelisted
// metadata (ids only), and records an activity row and a board tick for every change.
// Members change them; viewers read them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db.hpp"
#include "error.hpp"
#include "json.hpp"

namespace msk {

class Redis;

struct Automation {
    std::string id, board_id, trigger, trigger_meta, enc_body;  // trigger_meta: JSON object text
    bool enabled = true;
    std::optional<std::string> created_by;
    std::string created_at, updated_at;
};

struct AutomationChange {
    std::string id;  // create: the client-chosen id
    std::optional<std::string> trigger;       // checked by is_automation_trigger
    std::optional<std::string> trigger_meta;  // the request's JSON text, checked here
    std::optional<std::string> enc_body;
    std::optional<bool> enabled;
};

// The trigger types, for messages and the OpenAPI document.
extern const char *const kAutomationTriggers;
bool is_automation_trigger(const std::string &trigger);
// The canonical metadata object text for `trigger`, or a 400: only the keys that trigger
// allows (ids: columnId, fromColumnId, toColumnId, labelId), each an id.
Result<std::string> automation_trigger_meta(const std::string &trigger, const json_t *meta);

Result<std::vector<Automation>> list_automations(Tx &tx, const std::string &user_id, const std::string &board_id);
Result<Automation> create_automation(Tx &tx, Redis &redis, const std::string &user_id, const std::string &board_id,
                                     const AutomationChange &in);
Result<Automation> update_automation(Tx &tx, Redis &redis, const std::string &user_id,
                                     const std::string &automation_id, const AutomationChange &in);
Status delete_automation(Tx &tx, Redis &redis, const std::string &user_id, const std::string &automation_id);

}  // namespace msk
