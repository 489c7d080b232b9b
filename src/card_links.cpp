// Card links (see card_links.hpp).
#include "card_links.hpp"

#include "activity.hpp"
#include "authz.hpp"
#include "boards.hpp"
#include "ids.hpp"
#include "notifications.hpp"
#include "ticks.hpp"

namespace msk {

const LinkKind kCardLabel{"labelId", "a label of this card's board", "label_of_board", "card_label_insert",
                          "card_label_delete", "CARD_LABEL_ADDED", "CARD_LABEL_REMOVED"};
const LinkKind kCardAssignee{"userId", "a member of this card's workspace", "member_of_board", "card_assignee_insert",
                             "card_assignee_delete", "CARD_ASSIGNED", "CARD_UNASSIGNED", notify_assigned};

Result<Card> set_card_link(Tx &tx, Redis &redis, const std::string &user_id, const std::string &card_id,
                           const std::string &other_id, const LinkKind &kind, bool attach) {
    auto a = authorize_card(tx, user_id, card_id, Need::write);
    if (!a) return a.error();
    // The board before the link rows (lock order); the check after it, so a label
    // deleted meanwhile (its deletion takes the same lock) is a 400, not a foreign-key error.
    lock_board_positions(tx, a->board_id);
    if (!is_valid_id(other_id) || tx.exec_prepared(kind.belongs_query, other_id, a->board_id).empty())
        return bad_request(std::string("\"") + kind.field + "\" does not name " + kind.what);
    auto changed = tx.exec_prepared(attach ? kind.insert_query : kind.delete_query, a->board_id, card_id, other_id);
    if (!changed.empty()) {
        Event ev = make_event(a->workspace_id, a->board_id, user_id, attach ? kind.added_verb : kind.removed_verb,
                              "card", card_id);
        json_object_set_new(ev.meta.get(), kind.field, json_string(other_id.c_str()));
        record_activity(tx, ev);
        publish_tick_after_commit(tx, redis, std::move(ev));
        if (attach && kind.on_added) kind.on_added(tx, *a, user_id, other_id, card_id);
    }
    return load_card(tx, card_id);
}

}  // namespace msk
