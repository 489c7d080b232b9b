// Authorization decisions. Boards and cards arrive with the kanban API; until then no
// room exists, so every room is "not found".
#include "authz.hpp"

#include "ids.hpp"

namespace msk {

Result<RoomAccess> authorize_room(Db &, const std::string &, const std::string &room) {
    auto colon = room.find(':');
    std::string kind = room.substr(0, colon);
    if (colon == std::string::npos || (kind != "board" && kind != "card") || !is_valid_id(room.substr(colon + 1)))
        return bad_request("\"room\" must be board:<id> or card:<id>");
    return not_found("no such room");
}

}  // namespace msk
