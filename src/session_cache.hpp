// A per-process cache of live sessions, so that a request with a session seen lately
// needs no PostgreSQL statement to check it (docs/internals.md, "Session cache").
// Revocation still takes effect at once, because nothing is served from the cache unless
// its lease is fresh:
//   - A watcher thread (src/session_watch.cpp) is subscribed to the revocation channel
//     (mskanban:revoke) and evicts what each notice names. Every 50 ms it also sends a
//     PING down that same subscribed connection; the reply comes back after every notice
//     Redis published before it, so once the watcher has read the reply it has applied
//     every revocation published before the PING was sent. It then extends the lease to
//     (time the PING was sent) + kLeaseMs.
//   - A request that published a revocation waits, before it answers, until kLeaseMs
//     have passed since the publish was acknowledged (revocation_barrier()): by then every
//     cache, in every process and on every host, has either applied the notice or let
//     its lease run out. A notice that could not be published (Redis down) makes it wait
//     kMaxAgeMs instead, the most any entry lives without a fresh PostgreSQL check.
// An entry lives at most kMaxAgeMs after the statement that checked it began, and never
// past the session's idle or absolute expiry as PostgreSQL computed them. An entry
// checked by a statement that began before a notice (or a reconnection) is not stored:
// every notice and every flush moves the generation on.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "sessions.hpp"

namespace msk {

class SessionCache {
public:
    // How long the watcher's last PING vouches for the cache; a revocation waits this long.
    static constexpr int64_t kLeaseMs = 250;
    // The longest an entry is used without a fresh check in PostgreSQL (which also writes
    // the idle-expiry touch when the session was idle 30 s or more).
    static constexpr int64_t kMaxAgeMs = 2000;

    // 0 entries turns the cache off (config session_cache_entries).
    void set_max_entries(size_t n);
    bool enabled() const;

    // The watcher is subscribed as of `since_ms` (steady clock, read after Redis
    // confirmed the subscription): only statements that began after it may store entries,
    // since a revocation committed later is published to this watcher.
    void subscribed(int64_t since_ms);
    // The watcher: its lease now runs until `until_ms` (never shortened).
    void set_lease(int64_t until_ms);
    // The watcher lost its connection (or is (re)subscribing): no lease, no entries, and
    // a new generation.
    void end_lease();
    // A notice: drop what it names (any of the ids may be empty) and start a new
    // generation. A notice of any other kind (a workspace, a board) needs nothing here.
    void evict(const std::string &session_id, const std::string &user_id);
    void clear();

    // Is the cache on and its lease fresh (else get() finds nothing)?
    bool usable(int64_t now_ms) const;
    // The generation to hand back to put(); read it before the statement that checks.
    uint64_t generation() const;
    // The session stored under `token_hash` (hex SHA-256 of the token) when the lease is
    // fresh and the entry younger than its deadline; nullopt otherwise.
    std::optional<SessionAuth> get(const std::string &token_hash, int64_t now_ms) const;
    // Stores a session checked by a statement that began at `checked_ms` in generation
    // `gen`, valid for at most `left_ms` more (its idle or absolute expiry, whichever is
    // first); ignored when the generation moved on or the statement began before the
    // watcher was subscribed.
    void put(const std::string &token_hash, const SessionAuth &auth, int64_t checked_ms, int64_t left_ms,
             uint64_t gen);
    size_t size() const;

private:
    struct Entry {
        SessionAuth auth;
        int64_t until_ms;
    };
    mutable std::mutex mu_;
    size_t max_entries_ = 0;
    int64_t lease_until_ms_ = 0;
    int64_t subscribed_ms_ = INT64_MAX;
    uint64_t generation_ = 1;
    std::unordered_map<std::string, Entry> entries_;
};

// The process's cache, configured at start (fcgi/main.cpp).
SessionCache &session_cache();

// Monotonic milliseconds, comparable between the threads and processes of one host.
int64_t steady_ms();

// Called after a revocation notice was handed to Redis (published = it was; false = it
// was held because Redis is down): revocation_barrier() must then wait before the
// request answers. Per thread.
void note_revocation_published(bool published);
// Waits as session_cache.hpp explains if this thread published a revocation since the
// last call; returns at once otherwise.
void revocation_barrier();

}  // namespace msk
