// After-commit publication of board ticks (see ticks.hpp).
#include "ticks.hpp"

#include <memory>

#include "log.hpp"
#include "redis.hpp"

namespace msk {

// XADD and PUBLISH in one script: Redis runs a script atomically, so ticks reach the
// channel in the order of their stream ids even when several workers publish for the
// same board at once (two separate commands could interleave). KEYS: stream, channel.
// ARGV: max length, verb, data. Returns the stream id.
static const char *kPublishScript = R"LUA(
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'verb', ARGV[2], 'data', ARGV[3])
redis.call('PUBLISH', KEYS[2], id .. ' ' .. ARGV[2] .. ' ' .. ARGV[3])
return id
)LUA";

std::string publish_tick(Redis &redis, const Event &e) {
    if (e.board_id.empty()) return "";
    JsonPtr data = own(event_json(e));
    std::string json = dump(data.get());
    std::string board_key = "mskanban:board:" + e.board_id;
    auto added = redis.command({"EVAL", kPublishScript, "2", board_key + ":ticks", board_key,
                                std::to_string(kTickStreamMaxLen), e.verb, json});
    if (!added || added->type != REDIS_REPLY_STRING) {
        log_warn("tick " + e.verb + " for board " + e.board_id + " not published (redis unavailable)");
        return "";
    }
    return std::string(added->str, added->len);
}

void drop_tick_streams_after_commit(Tx &tx, Redis &redis, std::vector<std::string> board_ids) {
    if (board_ids.empty()) return;
    auto ids = std::make_shared<std::vector<std::string>>(std::move(board_ids));
    tx.after_commit([&redis, ids] {
        for (const auto &id : *ids) {
            // The key the nginx module replays from (NGX_HTTP_MSKANBAN_BOARD_CHANNEL +
            // id + NGX_HTTP_MSKANBAN_TICKS_SUFFIX in ngx_http_mskanban_module.h).
            if (!redis.command({"UNLINK", "mskanban:board:" + id + ":ticks"}))
                log_warn("tick stream of deleted board " + id + " not removed (redis unavailable)");
        }
    });
}

void publish_tick_after_commit(Tx &tx, Redis &redis, Event e) {
    auto ev = std::make_shared<Event>(std::move(e));
    tx.after_commit([&redis, ev] { publish_tick(redis, *ev); });
}

}  // namespace msk
