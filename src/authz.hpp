// Authorization: the one place that decides what a user may see and do. Every handler,
// the live stream and the WebSocket relay ask here; nothing else reads memberships.
// A user who is not a member gets the same 404 as for a missing object.
#pragma once

#include <string>

#include "db.hpp"
#include "error.hpp"

namespace msk {

struct RoomAccess {
    std::string room;          // "board:<id>" or "card:<id>"
    std::string workspace_id;  // for revocations
    std::string board_id;
};

// May `user_id` join the realtime room `room` ("board:<id>" or "card:<id>")?
// 400 for a malformed room, 404 for a missing object or a non-member.
Result<RoomAccess> authorize_room(Db &db, const std::string &user_id, const std::string &room);

}  // namespace msk
