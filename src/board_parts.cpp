// Shared plumbing of a board's objects (see board_parts.hpp).
#include "board_parts.hpp"

#include "activity.hpp"
#include "boards.hpp"
#include "ticks.hpp"

namespace msk {

Result<Grant> authorize_board_parts(Tx &tx, const std::string &user_id, const std::string &board_id, Need need) {
    auto a = authorize_board(tx, user_id, board_id, need);
    if (!a) return a.error();
    if (need != Need::read) lock_board_positions(tx, board_id);
    return a;
}

Result<Grant> authorize_board_part(Tx &tx, const std::string &user_id, const char *authz_query,
                                   const std::string &id, Need need, const char *what) {
    auto a = authorize_board_object(tx, user_id, authz_query, id, need, what);
    if (!a) return a.error();
    if (need != Need::read) lock_board_positions(tx, a->board_id);
    return a;
}

Status check_board_quota(Tx &tx, const char *count_query, const std::string &board_id, long limit,
                         const char *what_plural) {
    long n = tx.exec_prepared(count_query, board_id)[0]["n"].as<long>();
    if (n >= limit)
        return conflict(std::string("this board already holds ") + std::to_string(n) + " " + what_plural +
                        ", the most this server allows; delete one first");
    return ok_status();
}

void board_part_event(Tx &tx, Redis &redis, const Grant &a, const std::string &user_id, const char *verb,
                      const char *target_type, const std::string &target_id, json_t *meta) {
    Event ev = make_event(a.workspace_id, a.board_id, user_id, verb, target_type, target_id);
    if (meta) {
        json_object_update(ev.meta.get(), meta);
        json_decref(meta);
    }
    record_activity(tx, ev);
    publish_tick_after_commit(tx, redis, std::move(ev));
}

}  // namespace msk
