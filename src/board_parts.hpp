// What the objects defined on a board (card templates, custom fields) share: access
// through the board (viewers get 403, a non-member the same 404 as a missing id), the
// board's lock for every write (lock order of boards.hpp), a bound on how many one board
// holds, and the event every change records (activity row and board tick in the
// request's transaction, ids only).
#pragma once

#include <string>

#include "authz.hpp"
#include "db.hpp"
#include "error.hpp"
#include "json.hpp"

namespace msk {

class Redis;

// Access to board `board_id` for its objects; a write also takes the board's lock.
Result<Grant> authorize_board_parts(Tx &tx, const std::string &user_id, const std::string &board_id, Need need);
// Access to the object `id` through `authz_query` (see authorize_board_object); a write
// also takes its board's lock.
Result<Grant> authorize_board_part(Tx &tx, const std::string &user_id, const char *authz_query,
                                   const std::string &id, Need need, const char *what);

// 409 when board `board_id` already holds `limit` objects (query `count_query`, one row
// with "n"). Called under the board's lock, so concurrent creates cannot overshoot.
Status check_board_quota(Tx &tx, const char *count_query, const std::string &board_id, long limit,
                         const char *what_plural);

// Records `verb` on `target_type` `target_id` with meta `meta` (taken; may be null) and
// queues the board's tick after commit.
void board_part_event(Tx &tx, Redis &redis, const Grant &a, const std::string &user_id, const char *verb,
                      const char *target_type, const std::string &target_id, json_t *meta = nullptr);

}  // namespace msk
