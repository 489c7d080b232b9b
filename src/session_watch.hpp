// The session cache's watcher (see session_cache.hpp): one thread per worker process,
// subscribed to the revocation channel on its own Redis connection. It evicts what each
// notice names and keeps the cache's lease fresh with a PING down the subscribed
// connection every kPingMs; while it is not subscribed (Redis down, restarting, a
// refused AUTH) the cache has no lease and serves nothing.
#pragma once

#include <atomic>

#include "config.hpp"

namespace msk {

constexpr int kSessionWatchPingMs = 50;

// Runs until `stopping` is set (checked at least every kSessionWatchPingMs).
void session_watch_loop(const Config &cfg, const std::atomic<bool> &stopping);

// Applies one notice from the channel (a JSON object; src/sessions.cpp and the
// publishers it lists) to the process's cache. Unparseable text drops every entry.
void session_watch_apply(const std::string &notice);

}  // namespace msk
