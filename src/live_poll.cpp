// Reading a board's tick stream for the long-poll fallback (see live_poll.hpp).
#include "live_poll.hpp"

#include "redis.hpp"
#include "timeutil.hpp"

namespace msk {

namespace {

// One round trip for "what does the stream hold after the cursor": whether it exists,
// XINFO STREAM (first entry, last id, entries added, deletions) and the first page after
// the cursor (XRANGE with an exclusive start). KEYS: stream. ARGV: cursor or "", count.
const char *kLookScript = R"LUA(
if redis.call('EXISTS', KEYS[1]) == 0 then return {0} end
local info = redis.call('XINFO', 'STREAM', KEYS[1])
local range = {}
if ARGV[1] ~= '' then range = redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+', 'COUNT', ARGV[2]) end
return {1, info, range}
)LUA";

std::string str_of(const redisReply *r) {
    return r && r->type == REDIS_REPLY_STRING ? std::string(r->str, r->len) : std::string();
}

// XINFO STREAM, flattened field/value pairs.
TickStreamInfo read_info(const redisReply *info) {
    TickStreamInfo s;
    if (!info || info->type != REDIS_REPLY_ARRAY) return s;
    for (size_t i = 0; i + 1 < info->elements; i += 2) {
        std::string name = str_of(info->element[i]);
        const redisReply *v = info->element[i + 1];
        if (name == "length" && v->type == REDIS_REPLY_INTEGER) s.length = v->integer;
        else if (name == "entries-added" && v->type == REDIS_REPLY_INTEGER) s.entries_added = v->integer;
        else if (name == "last-generated-id") s.last = parse_stream_id(str_of(v));
        else if (name == "max-deleted-entry-id") s.max_deleted = parse_stream_id(str_of(v));
        else if (name == "first-entry" && v->type == REDIS_REPLY_ARRAY && v->elements > 0)
            s.first = parse_stream_id(str_of(v->element[0]));
    }
    return s;
}

// Appends the [id, [field, value, ...]] entries of an XRANGE/XREAD page.
void read_entries(const redisReply *page, std::vector<LiveTick> &out) {
    if (!page || page->type != REDIS_REPLY_ARRAY) return;
    for (size_t i = 0; i < page->elements; i++) {
        const redisReply *e = page->element[i];
        if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 || e->element[1]->type != REDIS_REPLY_ARRAY) continue;
        LiveTick t;
        t.id = str_of(e->element[0]);
        const redisReply *f = e->element[1];
        for (size_t j = 0; j + 1 < f->elements; j += 2) {
            std::string name = str_of(f->element[j]);
            if (name == "verb") t.verb = str_of(f->element[j + 1]);
            else if (name == "data") t.data = str_of(f->element[j + 1]);
        }
        if (parse_stream_id(t.id)) out.push_back(std::move(t));
    }
}

}  // namespace

bool ticks_missing(const TickStreamInfo &s, const StreamId &after) {
    StreamId zero;
    if (s.max_deleted && zero < *s.max_deleted && after < *s.max_deleted) return true;
    if (!(zero < after)) return s.entries_added > s.length;  // "0-0": trimmed since created
    if (s.first && after < *s.first) return true;              // trimmed past the cursor
    return s.last && *s.last < after;                           // a cursor this stream never gave
}

std::optional<StreamId> parse_stream_id(const std::string &text) {
    auto dash = text.find('-');
    if (dash == std::string::npos || dash == 0 || dash + 1 == text.size() || text.size() > 41) return std::nullopt;
    StreamId id;
    for (size_t i = 0; i < text.size(); i++) {
        if (i == dash) continue;
        char c = text[i];
        if (c < '0' || c > '9') return std::nullopt;
        uint64_t &part = i < dash ? id.ms : id.seq;
        if (part > (UINT64_MAX - 9) / 10) return std::nullopt;
        part = part * 10 + static_cast<uint64_t>(c - '0');
    }
    return id;
}

Result<LivePoll> poll_board_ticks(Redis &redis, const std::string &board_id, const LivePollOptions &opt) {
    std::optional<StreamId> after;
    if (opt.after) {
        after = parse_stream_id(*opt.after);
        if (!after) return bad_request("\"lastEventId\" must be a stream id such as 1716640496789-0");
    }
    const std::string key = "mskanban:board:" + board_id + ":ticks";
    const std::string count = std::to_string(opt.max_ticks);
    auto look = redis.command({"EVAL", kLookScript, "1", key, after ? after->str() : "", count});
    if (!look || look->type != REDIS_REPLY_ARRAY || look->elements < 1) return unavailable("live updates are unavailable");

    LivePoll out;
    bool exists = look->element[0]->type == REDIS_REPLY_INTEGER && look->element[0]->integer == 1;
    TickStreamInfo info = exists && look->elements == 3 ? read_info(look->element[1]) : TickStreamInfo{};
    std::string end = info.last ? info.last->str() : "0-0";
    if (after) {
        bool gap = exists ? ticks_missing(info, *after) : StreamId{} < *after;
        if (gap) {
            out.resync = true;
            out.cursor = end;
            return out;
        }
        if (exists && look->elements == 3) read_entries(look->element[2], out.ticks);
        if (!out.ticks.empty()) {
            out.cursor = out.ticks.back().id;
            return out;
        }
    }
    out.cursor = after ? after->str() : end;

    // Nothing newer yet: wait in slices, each answered by Redis within its timeout.
    int64_t deadline = now_ms() + opt.wait_ms;
    for (int64_t left = opt.wait_ms; left > 0; left = deadline - now_ms()) {
        int64_t slice = left < opt.slice_ms ? left : opt.slice_ms;
        auto got = redis.command({"XREAD", "COUNT", count, "BLOCK", std::to_string(slice), "STREAMS", key, out.cursor});
        if (!got) return unavailable("live updates are unavailable");
        if (got->type != REDIS_REPLY_ARRAY || got->elements == 0) continue;  // nil: the slice passed
        const redisReply *stream = got->element[0];
        if (stream->type == REDIS_REPLY_ARRAY && stream->elements == 2) read_entries(stream->element[1], out.ticks);
        if (!out.ticks.empty()) {
            out.cursor = out.ticks.back().id;
            break;
        }
    }
    return out;
}

}  // namespace msk
