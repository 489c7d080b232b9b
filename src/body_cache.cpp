// Bounded LRU of immutable list bodies (see body_cache.hpp).
#include "body_cache.hpp"

namespace msk {

void BodyCache::set_max_bytes(size_t max_bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    max_bytes_ = max_bytes;
    trim();
}

BodyCache::Body BodyCache::get(const std::string &key) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->second;
}

void BodyCache::put(const std::string &key, Body body) {
    if (!body) return;
    size_t cost = key.size() + body->size();
    std::lock_guard<std::mutex> lock(mu_);
    if (cost > max_bytes_ || index_.count(key)) return;
    lru_.emplace_front(key, std::move(body));
    index_[key] = lru_.begin();
    bytes_ += cost;
    trim();
}

void BodyCache::trim() {
    while (bytes_ > max_bytes_ && !lru_.empty()) {
        auto &last = lru_.back();
        bytes_ -= last.first.size() + last.second->size();
        index_.erase(last.first);
        lru_.pop_back();
    }
}

size_t BodyCache::bytes() const {
    std::lock_guard<std::mutex> lock(mu_);
    return bytes_;
}

size_t BodyCache::size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return lru_.size();
}

BodyCache &card_list_cache() {
    static BodyCache cache;
    return cache;
}

}  // namespace msk
