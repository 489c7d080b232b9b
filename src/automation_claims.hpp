// Automation claims: exactly-once help for automations, whose actions clients run (they
// hold the keys). When an event fires a rule, every open client of every member sees it;
// each first claims (automation id, triggering event id) and only the one whose claim is
// new runs the actions, each with an Idempotency-Key derived from the automation id and
// the event id, so its own retries act once too (docs/webhooks.md, "Automations").
// Claims are not board content: no activity row, tick or board version. The gc removes
// claims older than kAutomationClaimDays, and an event older than that cannot be claimed,
// so a removed claim is never taken a second time.
#pragma once

#include <optional>
#include <string>

#include "db.hpp"
#include "error.hpp"

namespace msk {

constexpr long kAutomationClaimDays = 30;

struct AutomationClaim {
    std::string automation_id, event_id;
    std::optional<std::string> claimed_by;  // null once that user is deleted
    std::string claimed_at;
};

// Claims `event_id` (an activity id) for the automation, as `user_id`: members and owners
// of its board (viewer 403; missing automation or non-member 404). 400 when the event is
// not an activity row of the automation's board with the trigger's verb, from the last
// kAutomationClaimDays; 409 when the automation is disabled or the event claimed already.
Result<AutomationClaim> claim_automation_event(Tx &tx, const std::string &user_id, const std::string &automation_id,
                                               const std::string &event_id);

}  // namespace msk
