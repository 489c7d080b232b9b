// Per-account backoff and lock in Redis (see login_guard.hpp).
#include "login_guard.hpp"

#include <mutex>
#include <optional>

#include "accounts.hpp"
#include "base64url.hpp"
#include "crypto.hpp"
#include "ratelimit.hpp"
#include "redis.hpp"

namespace msk {

namespace {

struct Failures {
    int64_t count = 0;
    int64_t last_ms = 0;
};

// The failures within the lock window; null when Redis is down.
std::optional<Failures> recent_failures(Redis &redis, const std::string &key, const Config &cfg,
                                        int64_t now) {
    std::string cutoff = std::to_string(now - cfg.login_lock_window_s * 1000);
    if (!redis.command({"ZREMRANGEBYSCORE", key, "-inf", "(" + cutoff})) return std::nullopt;
    auto last = redis.command({"ZRANGE", key, "-1", "-1", "WITHSCORES"});
    auto count = redis.command({"ZCARD", key});
    if (!last || !count) return std::nullopt;
    Failures f;
    f.count = count->integer;
    if (last->type == REDIS_REPLY_ARRAY && last->elements == 2)
        f.last_ms = std::stoll(std::string(last->element[1]->str, last->element[1]->len));
    return f;
}

}  // namespace

const std::string &dummy_hash(const Config &cfg) {
    static std::once_flag once;
    static std::string hash;
    std::call_once(once, [&] { hash = server_hash(std::string(32, 'x'), cfg.argon2).value_or(""); });
    return hash;
}

std::string failures_key(const Config &cfg, const std::string &email) {
    return "mskanban:lf:" + keyed_hash(cfg, "email", email);
}

void record_failure(Redis &redis, const std::string &key, const Config &cfg, int64_t now) {
    std::string member = std::to_string(now) + ":" + hex_encode(random_bytes(4));
    redis.command({"ZADD", key, std::to_string(now), member});
    redis.command({"PEXPIRE", key, std::to_string(cfg.login_lock_window_s * 1000)});
}

void clear_failures_after_commit(Tx &tx, Redis &redis, const std::string &fkey) {
    tx.after_commit([&redis, fkey] { redis.command({"DEL", fkey}); });
}

Status check_backoff(Redis &redis, const Config &cfg, const std::string &fkey, int64_t now) {
    auto failures = recent_failures(redis, fkey, cfg, now);
    if (!failures) return unavailable("login is temporarily unavailable; try again shortly");
    int64_t wait = login_wait_ms(failures->count, failures->last_ms, now, cfg);
    if (wait <= 0) return ok_status();
    RateDecision d;
    d.allowed = false;
    d.limit = cfg.login_lock_failures;
    d.retry_after_s = (wait + 999) / 1000;
    Error e = rate_limited_error(d);
    e.message = failures->count >= cfg.login_lock_failures
                    ? "too many failed logins; the account is locked for " + std::to_string(d.retry_after_s) + " s"
                    : "too many failed logins; retry after " + std::to_string(d.retry_after_s) + " s";
    return e;
}

}  // namespace msk
