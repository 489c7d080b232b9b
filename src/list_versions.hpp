// Conditional reads of lists. A board's lists (its columns and cards) share the board's
// version and a workspace's board list has the workspace's version: counters in
// PostgreSQL that triggers bump in the transaction of every change to the list
// (sql/003_integrity.sql). A list's ETag is made from its kind, its filter, the owner's
// id and that version, so reading the version (one indexed row, with the membership
// check) tells whether a client's copy is current without building the list.
#pragma once

#include <cstdint>
#include <string>

#include <pqxx/pqxx>

#include "error.hpp"

namespace msk {

// The quoted ETag of list `kind` ("cards", "columns", "boards") with filter `variant`
// ("" for none) of object `owner_id` at `version`: "cards.exclude.<id>.<version>".
std::string list_etag(const std::string &kind, const std::string &variant, const std::string &owner_id,
                      int64_t version);

// Does an If-None-Match header value match `etag`? A comma-separated list of entity
// tags, compared weakly (a W/ prefix is ignored, RFC 9110 13.1.2), or "*". An empty or
// malformed header matches nothing.
bool etag_matches(const std::string &if_none_match, const std::string &etag);

// The version of board `board_id`'s lists, for a member of its workspace only; 404 for
// a missing board, a malformed id or a non-member (as authorize_board does).
Result<int64_t> board_lists_version(pqxx::transaction_base &tx, const std::string &user_id,
                                    const std::string &board_id);
// The version of workspace `workspace_id`'s board list, for a member only; else 404.
Result<int64_t> workspace_boards_version(pqxx::transaction_base &tx, const std::string &user_id,
                                         const std::string &workspace_id);

}  // namespace msk
