// Redis access for the FastCGI workers: one synchronous hiredis connection per thread with
// connect and command timeouts. Redis holds only what may be lost (rate-limit windows,
// tickets, pub/sub, replay streams), so callers treat a null reply as "Redis is down"
// and decide per use whether to fail open or closed. A connection that broke (Redis
// restarted) is re-made at once and the command retried once. While Redis refuses
// connections each request tries again (refusal is instant); when connecting hangs until
// the timeout, the next attempt waits a second, so a dead Redis costs requests little.
// Every new connection sends AUTH (when a password is set) and SELECT (when db != 0)
// before anything else; a refused AUTH counts as Redis being down. A connect hook (one per
// process) runs on every new connection, so work held back while Redis was down (queued
// revocations, src/sessions.cpp) goes out as soon as any thread reaches Redis again.
#pragma once

#include <hiredis.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace msk {

struct ReplyDeleter {
    void operator()(redisReply *r) const { freeReplyObject(r); }
};
using RedisReply = std::unique_ptr<redisReply, ReplyDeleter>;

class Redis {
public:
    Redis(std::string host, int port, int timeout_ms, std::string password = "", int db = 0)
        : host_(std::move(host)), port_(port), timeout_ms_(timeout_ms), password_(std::move(password)), db_(db) {}
    ~Redis();
    Redis(const Redis &) = delete;
    Redis &operator=(const Redis &) = delete;

    // Binary-safe command; nullptr when Redis is unreachable or the reply is an error.
    RedisReply command(const std::vector<std::string> &argv);
    // True when the last attempt to talk to Redis worked.
    bool up() const { return ctx_ != nullptr; }
    // Runs `hook` with the connection each time one is (re)made, before the command that
    // made it; the hook may issue commands. One per process; null removes it.
    using ConnectHook = void (*)(Redis &);
    static void set_connect_hook(ConnectHook hook) { connect_hook_.store(hook); }

private:
    bool connect();
    bool handshake(redisContext *c);
    std::string host_;
    int port_;
    int timeout_ms_;
    std::string password_;
    int db_;
    redisContext *ctx_ = nullptr;
    int64_t next_attempt_ms_ = 0;
    static inline std::atomic<ConnectHook> connect_hook_{nullptr};
};

}  // namespace msk
