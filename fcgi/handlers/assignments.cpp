// /cards/:id/assignments: assign workspace members to a card and unassign them
// (idempotent, see src/card_links.hpp).
#include "card_links.hpp"
#include "input.hpp"
#include "kanban_io.hpp"

namespace msk {

namespace {

Result<Response> answer(Ctx &ctx, const std::string &user_id, bool assign) {
    auto c = set_card_link(ctx.tx(), ctx.svc.redis, ctx.auth->user_id, ctx.req.param("id"), user_id, kCardAssignee,
                           assign);
    if (!c) return c.error();
    return wrapped(200, "card", card_json(*c));
}

// {userId}
Result<Response> post_assignment(Ctx &ctx) {
    auto user = link_target(ctx.req, kCardAssignee.field, false);
    if (!user) return user.error();
    return answer(ctx, *user, true);
}

Result<Response> delete_assignment(Ctx &ctx) { return answer(ctx, ctx.req.param("userId"), false); }

}  // namespace

std::vector<Route> assignment_routes() {
    return {
        {"POST", "/cards/:id/assignments", post_assignment, Access::session, "mutation"},
        {"DELETE", "/cards/:id/assignments/:userId", delete_assignment, Access::session, "mutation"},
    };
}

}  // namespace msk
