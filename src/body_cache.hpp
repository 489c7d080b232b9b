// A process-wide cache of list bodies that never change once built: a list's body is a
// function of its ETag (kind, filter, owner id and the owner's version, which triggers
// bump in the transaction of every change; src/list_versions.hpp), so a body stored
// under its ETag needs no invalidation: a change makes a new ETag and the old entry
// ages out. Least recently used entries go first once the stored bodies exceed the
// byte budget (config list_cache_bytes; 0 turns the cache off). Safe to use from the
// worker's threads. Bodies are shared, so a hit copies no bytes until the response
// is written.
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

namespace msk {

class BodyCache {
public:
    using Body = std::shared_ptr<const std::string>;
    explicit BodyCache(size_t max_bytes = 0) : max_bytes_(max_bytes) {}
    void set_max_bytes(size_t max_bytes);
    // The body stored under `key`, or null.
    Body get(const std::string &key);
    // Stores `body` under `key` unless it alone exceeds the budget.
    void put(const std::string &key, Body body);
    size_t bytes() const;
    size_t size() const;

private:
    using Entry = std::pair<std::string, Body>;
    void trim();  // with mu_ held
    mutable std::mutex mu_;
    size_t max_bytes_;
    size_t bytes_ = 0;
    std::list<Entry> lru_;  // most recently used first
    std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

// The card lists' cache of this process (src/cards.cpp), sized from the config at start.
BodyCache &card_list_cache();

}  // namespace msk
