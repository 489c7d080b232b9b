// Synchronous hiredis with reconnect and a one-second retry gate.
#include "redis.hpp"

#include "log.hpp"
#include "timeutil.hpp"

namespace msk {

Redis::~Redis() {
    if (ctx_) redisFree(ctx_);
}

bool Redis::connect() {
    int64_t started = now_ms();
    if (started < next_attempt_ms_) return false;
    struct timeval tv = {timeout_ms_ / 1000, (timeout_ms_ % 1000) * 1000};
    redisContext *c = redisConnectWithTimeout(host_.c_str(), port_, tv);
    if (!c || c->err) {
        if (c) {
            log_warn(std::string("redis: cannot connect: ") + c->errstr);
            redisFree(c);
        }
        // A refused connection costs nothing, so the next request may try again; one
        // that hung until the timeout is not retried for a second.
        int64_t took = now_ms() - started;
        next_attempt_ms_ = took >= 50 ? now_ms() + 1000 : 0;
        return false;
    }
    redisSetTimeout(c, tv);
    if (!handshake(c)) {
        redisFree(c);
        next_attempt_ms_ = now_ms() + 1000;
        return false;
    }
    ctx_ = c;
    if (ConnectHook hook = connect_hook_.load()) hook(*this);
    return ctx_ != nullptr;
}

bool Redis::handshake(redisContext *c) {
    auto ok = [&](void *raw, const char *what) {
        RedisReply r(static_cast<redisReply *>(raw));
        if (!r) {
            log_warn(std::string("redis: ") + what + " failed: " + c->errstr);
            return false;
        }
        if (r->type == REDIS_REPLY_ERROR) {
            // The reply names the problem (WRONGPASS, NOAUTH); it never echoes the password.
            log_warn(std::string("redis: ") + what + " refused: " + std::string(r->str, r->len));
            return false;
        }
        return true;
    };
    if (!password_.empty() &&
        !ok(redisCommand(c, "AUTH %b", password_.data(), password_.size()), "AUTH"))
        return false;
    if (db_ != 0 && !ok(redisCommand(c, "SELECT %d", db_), "SELECT")) return false;
    return true;
}

RedisReply Redis::command(const std::vector<std::string> &argv) {
    std::vector<const char *> args;
    std::vector<size_t> lens;
    for (const auto &a : argv) {
        args.push_back(a.data());
        lens.push_back(a.size());
    }
    // A connection made before a Redis restart fails on first use; reconnect and try
    // once more so the request does not pay for the stale connection.
    for (int attempt = 0; attempt < 2; attempt++) {
        if (!ctx_ && !connect()) return nullptr;
        auto *raw = static_cast<redisReply *>(
            redisCommandArgv(ctx_, static_cast<int>(args.size()), args.data(), lens.data()));
        if (!raw) {
            log_warn(std::string("redis: connection lost: ") + ctx_->errstr);
            redisFree(ctx_);
            ctx_ = nullptr;
            next_attempt_ms_ = 0;
            continue;
        }
        RedisReply reply(raw);
        if (reply->type == REDIS_REPLY_ERROR) {
            log_warn(std::string("redis: error reply: ") + std::string(reply->str, reply->len));
            return nullptr;
        }
        return reply;
    }
    return nullptr;
}

}  // namespace msk
