// Board ticks: after a mutation commits, its event goes to the board's bounded replay
// stream (XADD mskanban:board:<id>:ticks MAXLEN ~ 1000) and to the board channel
// (PUBLISH mskanban:board:<id> "<streamId> <VERB> <json>"), atomically and so in stream
// order, where the live stream and other hosts pick it up. Best effort: PostgreSQL already holds the change and its
// activity row, so a Redis failure is logged and never fails the request.
#pragma once

#include "activity.hpp"

namespace msk {

class Redis;

constexpr int kTickStreamMaxLen = 1000;

// Publishes `e` for its board; events without a board (workspace-level) publish nothing.
// Returns the stream id, or "" when nothing was published.
std::string publish_tick(Redis &redis, const Event &e);
// Queues publish_tick(redis, e) to run after `tx` commits (nothing on rollback).
void publish_tick_after_commit(Tx &tx, Redis &redis, Event e);
// Queues, after `tx` commits and after any tick queued before, the removal (UNLINK, one
// key per command so it works on Redis Cluster) of the replay streams of deleted boards,
// so a deleted board or workspace leaves nothing behind in Redis. Best effort: a stream
// left by a Redis failure holds at most kTickStreamMaxLen ticks of a board that no one
// can open any more (the live stream and the long poll check membership first).
void drop_tick_streams_after_commit(Tx &tx, Redis &redis, std::vector<std::string> board_ids);

}  // namespace msk
