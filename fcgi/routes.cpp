// Gathers every resource's routes into the one table the dispatcher uses.
#include "routes.hpp"

namespace msk {

const std::vector<Route> &all_routes() {
    static const std::vector<Route> table = [] {
        std::vector<Route> all;
        for (auto part : {health_routes, auth_routes, me_routes, account_routes, recovery_routes, totp_routes, webauthn_routes, internal_routes, workspace_routes,
                          member_routes, board_routes, column_routes, card_routes, comment_routes, checklist_routes, card_template_routes, custom_field_routes, label_routes, assignment_routes, milestone_routes, notification_routes, webhook_routes, automation_routes, automation_claim_routes, activity_routes, live_poll_routes, attachment_routes}) {
            auto routes = part();
            all.insert(all.end(), routes.begin(), routes.end());
        }
        return all;
    }();
    return table;
}

}  // namespace msk
