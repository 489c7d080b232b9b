// POST /automations/:id/claims {eventId}: claim the triggering event of an automation so
// that one client runs its actions (src/automation_claims.hpp). 201 for the first claim,
// 409 for every later one.
#include "automation_claims.hpp"
#include "input.hpp"
#include "kanban_io.hpp"

namespace msk {

namespace {

Result<Response> post_claim(Ctx &ctx) {
    auto event_id = link_target(ctx.req, "eventId", false);
    if (!event_id) return event_id.error();
    auto c = claim_automation_event(ctx.tx(), ctx.auth->user_id, ctx.req.param("id"), *event_id);
    if (!c) return c.error();
    return wrapped(201, "claim",
                   json_pack("{s:s, s:s, s:o, s:s}", "automationId", c->automation_id.c_str(), "eventId",
                             c->event_id.c_str(), "claimedBy", jstr_or_null(c->claimed_by), "claimedAt",
                             c->claimed_at.c_str()));
}

}  // namespace

std::vector<Route> automation_claim_routes() {
    return {
        {"POST", "/automations/:id/claims", post_claim, Access::session, "mutation"},
    };
}

}  // namespace msk
