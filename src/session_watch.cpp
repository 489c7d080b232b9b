// The session cache's watcher thread (see session_watch.hpp).
#include "session_watch.hpp"

#include <hiredis.h>
#include <poll.h>

#include <deque>
#include <thread>

#include "json.hpp"
#include "log.hpp"
#include "redis.hpp"
#include "session_cache.hpp"

namespace msk {

void session_watch_apply(const std::string &notice) {
    JsonPtr j(json_loadb(notice.data(), notice.size(), 0, nullptr));
    if (!json_is_object(j.get())) {
        session_cache().clear();
        return;
    }
    auto str = [&](const char *key) {
        const char *v = json_string_value(json_object_get(j.get(), key));
        return std::string(v ? v : "");
    };
    std::string type = str("type");
    if (type == "session") session_cache().evict(str("sessionId"), str("userId"));
    else if (type == "user") session_cache().evict("", str("userId"));
    else session_cache().evict("", "");  // memberships are not cached; a new generation
}

namespace {

// The revocation channel (src/sessions.cpp publishes on it; so does the nginx module read).
constexpr const char *kChannel = "mskanban:revoke";

bool is_array_of(const redisReply *r, const char *kind, size_t n) {
    return r && r->type == REDIS_REPLY_ARRAY && r->elements == n && r->element[0]->type == REDIS_REPLY_STRING &&
           std::string(r->element[0]->str, r->element[0]->len) == kind;
}

// Connects, authenticates and subscribes; null (logged) when any step fails.
redisContext *subscribe(const Config &cfg) {
    struct timeval tv = {cfg.redis_timeout_ms / 1000, (cfg.redis_timeout_ms % 1000) * 1000};
    redisContext *c = redisConnectWithTimeout(cfg.redis_host.c_str(), cfg.redis_port, tv);
    if (!c || c->err) {
        if (c) redisFree(c);
        return nullptr;
    }
    redisSetTimeout(c, tv);
    if (!cfg.redis_password.empty()) {
        RedisReply r(static_cast<redisReply *>(
            redisCommand(c, "AUTH %b", cfg.redis_password.data(), cfg.redis_password.size())));
        if (!r || r->type == REDIS_REPLY_ERROR) {
            log_warn("session cache: redis AUTH failed; the cache stays off");
            redisFree(c);
            return nullptr;
        }
    }
    RedisReply r(static_cast<redisReply *>(redisCommand(c, "SUBSCRIBE %s", kChannel)));
    if (!is_array_of(r.get(), "subscribe", 3)) {
        redisFree(c);
        return nullptr;
    }
    return c;
}

// Reads and applies replies until the connection fails or `stopping`; false on failure.
bool watch(redisContext *c, const std::atomic<bool> &stopping) {
    SessionCache &cache = session_cache();
    std::deque<int64_t> pings;  // when each PING in flight was sent
    int64_t next_ping = 0;
    while (!stopping) {
        void *raw = nullptr;
        if (redisGetReplyFromReader(c, &raw) != REDIS_OK) return false;
        if (raw) {
            RedisReply r(static_cast<redisReply *>(raw));
            if (is_array_of(r.get(), "message", 3)) {
                session_watch_apply(std::string(r->element[2]->str, r->element[2]->len));
            } else if (is_array_of(r.get(), "pong", 2) && !pings.empty()) {
                cache.set_lease(pings.front() + SessionCache::kLeaseMs);
                pings.pop_front();
            }
            continue;
        }
        int64_t now = steady_ms();
        if (now >= next_ping) {
            // Unanswered PINGs past the lease mean Redis is stuck: the lease has run out
            // by itself; start again on a fresh connection.
            if (!pings.empty() && now - pings.front() > 4 * SessionCache::kLeaseMs) return false;
            pings.push_back(now);
            if (redisAppendCommand(c, "PING") != REDIS_OK) return false;
            int done = 0;
            while (!done)
                if (redisBufferWrite(c, &done) != REDIS_OK) return false;
            next_ping = now + kSessionWatchPingMs;
            continue;
        }
        struct pollfd p = {c->fd, POLLIN, 0};
        int n = poll(&p, 1, static_cast<int>(next_ping - now));
        if (n < 0 && errno != EINTR) return false;
        if (n > 0 && redisBufferRead(c) != REDIS_OK) return false;
    }
    return true;
}

}  // namespace

void session_watch_loop(const Config &cfg, const std::atomic<bool> &stopping) {
    SessionCache &cache = session_cache();
    bool was_up = true;
    while (!stopping) {
        cache.end_lease();
        redisContext *c = subscribe(cfg);
        if (c) {
            cache.subscribed(steady_ms());
            if (!was_up) log_info("session cache: subscribed to revocations again");
            was_up = true;
            bool ok = watch(c, stopping);
            redisFree(c);
            cache.end_lease();
            if (ok) break;
        }
        if (was_up) log_warn("session cache: not subscribed to revocations (redis down?); sessions are checked in PostgreSQL");
        was_up = false;
        for (int i = 0; i < 10 && !stopping; i++) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

}  // namespace msk
