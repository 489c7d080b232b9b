// Authorization: the one place that decides what a user may see and do. Every handler,
// the live stream and the WebSocket relay ask here; nothing else reads memberships.
// Each check resolves the object to its workspace and the caller's membership in the
// caller's transaction, in one query. A user who is not a member gets the same 404 as
// for a missing (or malformed) id; a member whose role is too weak gets 403.
// Roles: viewer (read), member (read and change content), owner (also manage the
// workspace: rename, delete, invite and remove members).
#pragma once

#include <optional>
#include <string>

#include "db.hpp"
#include "error.hpp"

namespace msk {

enum class Role { viewer, member, owner };
enum class Need { read, write, manage };

std::optional<Role> parse_role(const std::string &name);
const char *role_name(Role role);
// ok, or 403 naming what the role lacks.
Status role_allows(Role role, Need need);

struct Grant {
    std::string workspace_id;
    std::string board_id;   // "" for a workspace check
    std::string column_id;  // set for column and card checks
    Role role = Role::viewer;
};

Result<Grant> authorize_workspace(pqxx::transaction_base &tx, const std::string &user_id,
                                   const std::string &workspace_id, Need need);
Result<Grant> authorize_board(pqxx::transaction_base &tx, const std::string &user_id,
                               const std::string &board_id, Need need);
Result<Grant> authorize_column(pqxx::transaction_base &tx, const std::string &user_id,
                                const std::string &column_id, Need need);
Result<Grant> authorize_card(pqxx::transaction_base &tx, const std::string &user_id,
                              const std::string &card_id, Need need);

Result<Grant> authorize_label(pqxx::transaction_base &tx, const std::string &user_id,
                               const std::string &label_id, Need need);
// Any other object that belongs to one board (a card template, a custom field): `query`
// resolves its id like authz_label does, and "<query>_write" is its write form; 404
// "no such <what>" for a missing object or a non-member.
Result<Grant> authorize_board_object(pqxx::transaction_base &tx, const std::string &user_id, const char *query,
                                     const std::string &id, Need need, const char *what);
Result<Grant> authorize_milestone(pqxx::transaction_base &tx, const std::string &user_id,
                                   const std::string &milestone_id, Need need);

struct RoomAccess {
    std::string room;          // "board:<id>" or "card:<id>"
    std::string workspace_id;  // for revocations
    std::string board_id;
    Role role = Role::viewer;  // viewers only follow a document (docs/internals.md)
};

// May `user_id` join the realtime room `room` ("board:<id>" or "card:<id>")?
// 400 for a malformed room, 404 for a missing object or a non-member.
Result<RoomAccess> authorize_room(Tx &tx, const std::string &user_id, const std::string &room);

}  // namespace msk
