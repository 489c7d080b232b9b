// After-commit publication of board ticks (see ticks.hpp).
#include "ticks.hpp"

#include "log.hpp"
#include "redis.hpp"

namespace msk {

std::string publish_tick(Redis &redis, const Event &e) {
    if (e.board_id.empty()) return "";
    JsonPtr data = own(event_json(e));
    std::string json = dump(data.get());
    std::string board_key = "mskanban:board:" + e.board_id;
    auto added = redis.command({"XADD", board_key + ":ticks", "MAXLEN", "~", std::to_string(kTickStreamMaxLen), "*",
                                "verb", e.verb, "data", json});
    if (!added || added->type != REDIS_REPLY_STRING) {
        log_warn("tick " + e.verb + " for board " + e.board_id + " not published (redis unavailable)");
        return "";
    }
    std::string stream_id(added->str, added->len);
    if (!redis.command({"PUBLISH", board_key, stream_id + " " + e.verb + " " + json}))
        log_warn("tick " + stream_id + " stored but not published (redis unavailable)");
    return stream_id;
}

}  // namespace msk
