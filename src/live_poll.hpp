// Live updates without the nginx module: a board's ticks read straight from its bounded
// replay stream (mskanban:board:<id>:ticks, written by ticks.cpp and read by the module's
// Last-Event-ID replay), for the FastCGI long-poll. The ids are the stream ids, the same
// ones the SSE stream carries, so a client can switch between the two without a gap.
//
// A poll answers at once when the stream holds ticks after the client's cursor, and
// otherwise waits for one in short XREAD BLOCK slices (each below the Redis command
// timeout) for at most the wait it was given; a worker thread is never held longer.
// When the stream no longer holds everything after the cursor (trimmed by MAXLEN, lost
// in a Redis restart, an entry deleted) the answer says resync and moves the cursor to
// the stream's end: the client reloads the board and polls on from there.
//
// The cursor "0-0" means "the stream was empty or absent when I last looked": an absent
// stream is then no gap, and an existing one is replayed from its start unless entries
// were trimmed or deleted since it was created (entries-added > length).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "error.hpp"

namespace msk {

class Redis;

// A stream id "<ms>-<seq>".
struct StreamId {
    uint64_t ms = 0, seq = 0;
    bool operator<(const StreamId &o) const { return ms < o.ms || (ms == o.ms && seq < o.seq); }
    std::string str() const { return std::to_string(ms) + "-" + std::to_string(seq); }
};
// Parses exactly "<digits>-<digits>"; nullopt otherwise.
std::optional<StreamId> parse_stream_id(const std::string &text);

// What XINFO STREAM says about a board's stream, as far as gaps are concerned.
struct TickStreamInfo {
    std::optional<StreamId> first, last, max_deleted;
    long long length = 0, entries_added = -1;  // entries_added: Redis 7, -1 when unknown
};
// May ticks after `after` be missing from an existing stream? (Trimmed past it, an entry
// newer than it deleted, a cursor from another incarnation of the stream; for "0-0",
// anything trimmed since the stream was created.)
bool ticks_missing(const TickStreamInfo &s, const StreamId &after);

struct LiveTick {
    std::string id;    // stream id
    std::string verb;  // the SSE event name
    std::string data;  // the tick JSON, as published
};

struct LivePoll {
    std::vector<LiveTick> ticks;  // oldest first, at most `max_ticks`
    bool resync = false;          // ticks after the cursor are gone: reload the board
    std::string cursor;           // pass as lastEventId next time
};

struct LivePollOptions {
    std::optional<std::string> after;  // the client's cursor; none: from now on
    int64_t wait_ms = 0;               // how long to wait when nothing is there yet
    int slice_ms = 400;                // one XREAD BLOCK; below the Redis command timeout
    size_t max_ticks = 100;
};

// Reads the board's ticks after `opt.after`. 400 for a malformed cursor, 503 when Redis
// is unavailable. The caller has checked that the user may read the board.
Result<LivePoll> poll_board_ticks(Redis &redis, const std::string &board_id, const LivePollOptions &opt);

}  // namespace msk
