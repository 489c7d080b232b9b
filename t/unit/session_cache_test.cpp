// The session cache (src/session_cache.cpp): nothing is served without a fresh lease or
// past an entry's deadline, notices evict, and a check that began before a notice, a
// reconnection or the subscription stores nothing.
#include <string>

#include "session_cache.hpp"
#include "session_watch.hpp"
#include "CppUTest/TestHarness.h"

using namespace msk;

namespace {
SessionAuth alice() { return SessionAuth{"s1", "u1", "a@example.org"}; }
SessionAuth bob() { return SessionAuth{"s2", "u2", "b@example.org"}; }

// A cache subscribed at 1000 with a lease to 1250.
void ready(SessionCache &c) {
    c.set_max_entries(10);
    c.subscribed(1000);
    c.set_lease(1000 + SessionCache::kLeaseMs);
}
}  // namespace

TEST_GROUP(SessionCache){};

TEST(SessionCache, HitWithinLeaseAndDeadline) {
    SessionCache c;
    ready(c);
    c.put("h1", alice(), 1010, 60000, c.generation());
    auto hit = c.get("h1", 1100);
    CHECK(hit.has_value());
    STRCMP_EQUAL("s1", hit->session_id.c_str());
    CHECK(!c.get("h2", 1100).has_value());
}

TEST(SessionCache, NothingWithoutAFreshLease) {
    SessionCache c;
    ready(c);
    c.put("h1", alice(), 1010, 60000, c.generation());
    CHECK(!c.get("h1", 1000 + SessionCache::kLeaseMs).has_value());  // the lease ran out
    c.set_lease(2000 + SessionCache::kLeaseMs);
    CHECK(c.get("h1", 2100).has_value());
    c.end_lease();  // connection lost: entries go too
    c.set_lease(3000 + SessionCache::kLeaseMs);
    CHECK(!c.get("h1", 3100).has_value());
}

TEST(SessionCache, EntryDeadlineIsMaxAgeOrSessionExpiry) {
    SessionCache c;
    ready(c);
    c.set_lease(100000);
    c.put("h1", alice(), 1010, 60000, c.generation());
    CHECK(c.get("h1", 1010 + SessionCache::kMaxAgeMs - 1).has_value());
    CHECK(!c.get("h1", 1010 + SessionCache::kMaxAgeMs).has_value());
    c.put("h2", bob(), 1010, 300, c.generation());  // expires in 0.3 s
    CHECK(c.get("h2", 1309).has_value());
    CHECK(!c.get("h2", 1310).has_value());
    c.put("h3", bob(), 1010, 0, c.generation());  // already expired: not stored
    CHECK(!c.get("h3", 1011).has_value());
}

TEST(SessionCache, NoticesEvictBySessionAndByUser) {
    SessionCache c;
    ready(c);
    c.put("h1", alice(), 1010, 60000, c.generation());
    c.put("h2", bob(), 1010, 60000, c.generation());
    c.evict("s1", "");
    CHECK(!c.get("h1", 1100).has_value());
    CHECK(c.get("h2", 1100).has_value());
    c.evict("", "u2");
    CHECK(!c.get("h2", 1100).has_value());
}

TEST(SessionCache, ACheckThatBeganBeforeANoticeStoresNothing) {
    SessionCache c;
    ready(c);
    uint64_t gen = c.generation();
    c.evict("other", "");  // any notice while the statement ran
    c.put("h1", alice(), 1010, 60000, gen);
    CHECK(!c.get("h1", 1100).has_value());
    gen = c.generation();
    c.clear();
    c.put("h1", alice(), 1010, 60000, gen);
    CHECK(!c.get("h1", 1100).has_value());
}

TEST(SessionCache, ACheckThatBeganBeforeTheSubscriptionStoresNothing) {
    SessionCache c;
    c.set_max_entries(10);
    c.end_lease();
    uint64_t gen = c.generation();
    c.subscribed(1000);
    c.set_lease(1000 + SessionCache::kLeaseMs);
    c.put("h1", alice(), 999, 60000, gen);  // began before the watcher was subscribed
    CHECK(!c.get("h1", 1100).has_value());
    c.put("h1", alice(), 1000, 60000, gen);
    CHECK(c.get("h1", 1100).has_value());
}

TEST(SessionCache, OffAtZeroEntries) {
    SessionCache c;
    ready(c);
    c.set_max_entries(0);
    c.set_lease(100000);
    CHECK(!c.usable(1100));
    c.put("h1", alice(), 1010, 60000, c.generation());
    CHECK(!c.get("h1", 1100).has_value());
}

TEST(SessionCache, TheWatcherAppliesNoticesToTheProcessCache) {
    SessionCache &c = session_cache();
    ready(c);
    c.put("h1", alice(), 1010, 60000, c.generation());
    c.put("h2", bob(), 1010, 60000, c.generation());
    session_watch_apply(R"({"type":"session","sessionId":"s1","userId":"u1","streamId":"1-0"})");
    CHECK(!c.get("h1", 1100).has_value());
    CHECK(c.get("h2", 1100).has_value());
    session_watch_apply(R"({"type":"user","userId":"u2"})");
    CHECK(!c.get("h2", 1100).has_value());
    c.put("h1", alice(), 1010, 60000, c.generation());
    session_watch_apply("not json");  // unreadable: drop everything
    CHECK(!c.get("h1", 1100).has_value());
    c.set_max_entries(0);
}
