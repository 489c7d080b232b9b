// The per-process session cache (see session_cache.hpp).
#include "session_cache.hpp"

#include <time.h>

#include <algorithm>
#include <chrono>
#include <thread>

namespace msk {

void SessionCache::set_max_entries(size_t n) {
    std::lock_guard<std::mutex> lock(mu_);
    max_entries_ = n;
    decltype(entries_)().swap(entries_);  // the buckets too
    generation_++;
}

bool SessionCache::enabled() const {
    std::lock_guard<std::mutex> lock(mu_);
    return max_entries_ > 0;
}

void SessionCache::subscribed(int64_t since_ms) {
    std::lock_guard<std::mutex> lock(mu_);
    subscribed_ms_ = since_ms;
}

void SessionCache::set_lease(int64_t until_ms) {
    std::lock_guard<std::mutex> lock(mu_);
    if (until_ms > lease_until_ms_) lease_until_ms_ = until_ms;
}

void SessionCache::end_lease() {
    std::lock_guard<std::mutex> lock(mu_);
    lease_until_ms_ = 0;
    subscribed_ms_ = INT64_MAX;
    entries_.clear();
    generation_++;
}

void SessionCache::evict(const std::string &session_id, const std::string &user_id) {
    std::lock_guard<std::mutex> lock(mu_);
    generation_++;
    if (session_id.empty() && user_id.empty()) return;
    for (auto it = entries_.begin(); it != entries_.end();) {
        const SessionAuth &a = it->second.auth;
        bool named = (!session_id.empty() && a.session_id == session_id) || (!user_id.empty() && a.user_id == user_id);
        it = named ? entries_.erase(it) : std::next(it);
    }
}

void SessionCache::clear() {
    std::lock_guard<std::mutex> lock(mu_);
    entries_.clear();
    generation_++;
}

bool SessionCache::usable(int64_t now_ms) const {
    std::lock_guard<std::mutex> lock(mu_);
    return max_entries_ > 0 && now_ms < lease_until_ms_;
}

uint64_t SessionCache::generation() const {
    std::lock_guard<std::mutex> lock(mu_);
    return generation_;
}

std::optional<SessionAuth> SessionCache::get(const std::string &token_hash, int64_t now_ms) const {
    std::lock_guard<std::mutex> lock(mu_);
    if (max_entries_ == 0 || now_ms >= lease_until_ms_) return std::nullopt;
    auto it = entries_.find(token_hash);
    if (it == entries_.end() || now_ms >= it->second.until_ms) return std::nullopt;
    return it->second.auth;
}

void SessionCache::put(const std::string &token_hash, const SessionAuth &auth, int64_t checked_ms, int64_t left_ms,
                       uint64_t gen) {
    std::lock_guard<std::mutex> lock(mu_);
    if (max_entries_ == 0 || gen != generation_ || checked_ms < subscribed_ms_ || left_ms <= 0) return;
    if (entries_.size() >= max_entries_) {
        // Full: drop the entries past their deadline, or else all of them (a session seen
        // again is checked once more; no order to keep).
        for (auto it = entries_.begin(); it != entries_.end();)
            it = it->second.until_ms <= checked_ms ? entries_.erase(it) : std::next(it);
        if (entries_.size() >= max_entries_) entries_.clear();
    }
    entries_[token_hash] = Entry{auth, checked_ms + std::min(kMaxAgeMs, left_ms)};
}

size_t SessionCache::size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return entries_.size();
}

SessionCache &session_cache() {
    static SessionCache cache;
    return cache;
}

int64_t steady_ms() {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

namespace {
thread_local int64_t t_barrier_until = 0;
}

void note_revocation_published(bool published) {
    if (!session_cache().enabled()) return;
    int64_t until = steady_ms() + (published ? SessionCache::kLeaseMs : SessionCache::kMaxAgeMs);
    if (until > t_barrier_until) t_barrier_until = until;
}

void revocation_barrier() {
    if (t_barrier_until == 0) return;
    int64_t left = t_barrier_until - steady_ms();
    t_barrier_until = 0;
    if (left > 0) std::this_thread::sleep_for(std::chrono::milliseconds(left));
}

}  // namespace msk
