// Automation claims (see automation_claims.hpp). Queries in src/queries/automation_claims.sql.
#include "automation_claims.hpp"

#include "authz.hpp"

namespace msk {

Result<AutomationClaim> claim_automation_event(Tx &tx, const std::string &user_id, const std::string &automation_id,
                                               const std::string &event_id) {
    auto target = tx.exec_prepared("automation_claim_target", automation_id);
    if (target.empty()) return not_found("no such automation");
    const std::string board_id = target[0]["board_id"].as<std::string>();
    const std::string trigger = target[0]["trigger"].as<std::string>();
    auto g = authorize_board(tx, user_id, board_id, Need::write);
    if (!g) return g.error();
    if (!target[0]["enabled"].as<bool>()) return conflict("the automation is disabled");
    if (tx.exec_prepared("automation_claim_event", event_id, board_id, trigger, kAutomationClaimDays * 86400).empty())
        return bad_request("\"eventId\" must name an event of this board that fires the automation's trigger (" +
                           trigger + ") in the last " + std::to_string(kAutomationClaimDays) + " days");
    // A stored Idempotency-Key record belongs to the board (deleted with it).
    tx.note_scope(g->workspace_id, board_id);
    auto r = tx.exec_prepared("automation_claim_insert", automation_id, event_id, user_id);
    if (r.empty()) return conflict("already claimed");
    AutomationClaim c;
    c.automation_id = r[0]["automation_id"].as<std::string>();
    c.event_id = r[0]["event_id"].as<std::string>();
    c.claimed_by = opt_str(r[0], "claimed_by");
    c.claimed_at = r[0]["claimed_at"].as<std::string>();
    return c;
}

}  // namespace msk
