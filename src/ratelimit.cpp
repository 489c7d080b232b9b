// Sliding-window rate limits and login backoff.
#include "ratelimit.hpp"

#include <algorithm>
#include <iterator>
#include <mutex>
#include <unordered_map>

#include "redis.hpp"

namespace msk {

// Scaled by window_ms to stay in integers: previous*(W-e) + current*W + W <= limit*W.
bool rate_allows(const RateState &s, int64_t limit) {
    int64_t w = s.window_ms;
    return s.previous * (w - s.elapsed_ms) + (s.current + 1) * w <= limit * w;
}

int64_t rate_remaining(const RateState &s, int64_t limit) {
    int64_t w = s.window_ms;
    int64_t used_scaled = s.previous * (w - s.elapsed_ms) + s.current * w;
    int64_t left = (limit * w - used_scaled) / w;
    return std::max<int64_t>(0, left);
}

int64_t rate_retry_after_s(const RateState &s, int64_t limit) {
    int64_t w = s.window_ms, e = s.elapsed_ms;
    int64_t wait_ms;
    if (s.current + 1 <= limit && s.previous > 0) {
        // Within this window: need previous*(W-e-t) <= (limit-current-1)*W.
        int64_t need = s.previous * (w - e) - (limit - s.current - 1) * w;
        wait_ms = (need + s.previous - 1) / s.previous;
    } else {
        // Next window: the current count becomes `previous`; need current*(W-e') <= (limit-1)*W.
        int64_t e2 = s.current > 0 ? w - ((limit - 1) * w) / s.current : 0;
        wait_ms = (w - e) + std::max<int64_t>(0, e2);
    }
    return std::max<int64_t>(1, (wait_ms + 999) / 1000);
}

int64_t rate_lease_size(int64_t limit) { return std::max<int64_t>(1, std::min<int64_t>(64, limit / 64)); }

// KEYS: current, previous. ARGV: limit, window_ms, elapsed_ms, lease size n.
// Returns {allowed, current, previous, charged}: charges n when the window stays at most
// half used with n more, else 1; nothing when even 1 does not fit.
static const char *kRateScript = R"LUA(
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
local prev = tonumber(redis.call('GET', KEYS[2]) or '0')
local limit, w, e, n = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local used = prev * (w - e) + cur * w
if used + w > limit * w then return {0, cur, prev, 0} end
if n > 1 and 2 * (used + n * w) > limit * w then n = 1 end
cur = redis.call('INCRBY', KEYS[1], n)
if cur == n then redis.call('PEXPIRE', KEYS[1], 2 * w) end
return {1, cur, prev, n}
)LUA";

namespace {

// Requests a process may still serve from its leases: per (group, subject), the window
// they were charged in, how many are left and RateLimit-Remaining as Redis last saw it.
struct Lease {
    int64_t window = 0;
    int64_t left = 0;
    int64_t remaining = 0;
};
std::mutex g_leases_mu;
std::unordered_map<std::string, Lease> g_leases;

bool take_leased(const std::string &key, int64_t window, int64_t &remaining) {
    std::lock_guard<std::mutex> lock(g_leases_mu);
    auto it = g_leases.find(key);
    if (it == g_leases.end() || it->second.window != window || it->second.left == 0) return false;
    it->second.left--;
    remaining = it->second.remaining + it->second.left;
    return true;
}

void keep_lease(const std::string &key, int64_t window, int64_t left, int64_t remaining) {
    std::lock_guard<std::mutex> lock(g_leases_mu);
    if (g_leases.size() >= 10000) {  // forget the leases of past windows
        for (auto it = g_leases.begin(); it != g_leases.end();)
            it = it->second.window < window - 1 ? g_leases.erase(it) : std::next(it);
    }
    g_leases[key] = Lease{window, left, remaining};
}

}  // namespace

RateDecision rate_check(Redis &redis, const std::string &group, const std::string &subject,
                        const RateLimitRule &rule, int64_t now_ms, bool lease) {
    RateDecision d;
    d.limit = rule.limit;
    int64_t w = rule.window_s * 1000;
    int64_t index = now_ms / w;
    RateState s{w, now_ms - index * w, 0, 0};
    d.reset_s = (w - s.elapsed_ms + 999) / 1000;
    std::string base = "mskanban:rl:" + group + ":" + subject + ":";
    int64_t n = lease ? rate_lease_size(rule.limit) : 1;
    if (n > 1 && take_leased(base, index, d.remaining)) return d;
    auto reply = redis.command({"EVAL", kRateScript, "2", base + std::to_string(index),
                                base + std::to_string(index - 1), std::to_string(rule.limit),
                                std::to_string(w), std::to_string(s.elapsed_ms), std::to_string(n)});
    if (!reply || reply->type != REDIS_REPLY_ARRAY || reply->elements != 4) {
        d.redis_down = true;
        return d;
    }
    d.allowed = reply->element[0]->integer == 1;
    s.current = reply->element[1]->integer;
    s.previous = reply->element[2]->integer;
    int64_t charged = reply->element[3]->integer;
    d.remaining = rate_remaining(s, rule.limit);
    if (charged > 1) {
        keep_lease(base, index, charged - 1, d.remaining);
        d.remaining += charged - 1;
    }
    if (!d.allowed) d.retry_after_s = rate_retry_after_s(s, rule.limit);
    return d;
}

Error rate_limited_error(const RateDecision &d) {
    Error e{429, "RATE_LIMITED", "too many requests; retry after " + std::to_string(d.retry_after_s) + " s", {}};
    e.headers.push_back({"Retry-After", std::to_string(d.retry_after_s)});
    e.headers.push_back({"RateLimit-Limit", std::to_string(d.limit)});
    e.headers.push_back({"RateLimit-Remaining", "0"});
    e.headers.push_back({"RateLimit-Reset", std::to_string(d.retry_after_s)});
    return e;
}

int64_t login_wait_ms(int64_t failures, int64_t last_failure_ms, int64_t now_ms, const Config &cfg) {
    if (failures < cfg.login_backoff_after) return 0;
    int64_t wait;
    if (failures >= cfg.login_lock_failures) {
        wait = cfg.login_lock_window_s * 1000;
    } else {
        int64_t shift = std::min<int64_t>(failures - cfg.login_backoff_after, 20);
        wait = std::min<int64_t>(1000LL << shift, cfg.login_lock_window_s * 1000);
    }
    int64_t until = last_failure_ms + wait;
    return until > now_ms ? until - now_ms : 0;
}

}  // namespace msk
