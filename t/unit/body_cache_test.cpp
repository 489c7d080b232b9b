// The list body cache (src/body_cache.cpp): hits, the byte budget, LRU order, off at 0.
#include <memory>
#include <string>

#include "body_cache.hpp"
#include "CppUTest/TestHarness.h"

using namespace msk;

namespace {
BodyCache::Body body(size_t n, char c = 'x') { return std::make_shared<const std::string>(n, c); }
}  // namespace

TEST_GROUP(BodyCache){};

TEST(BodyCache, HitAndMiss) {
    BodyCache c(1000);
    CHECK(c.get("a") == nullptr);
    c.put("a", body(10, 'a'));
    auto hit = c.get("a");
    CHECK(hit != nullptr);
    STRCMP_EQUAL(std::string(10, 'a').c_str(), hit->c_str());
    CHECK(c.get("b") == nullptr);
    LONGS_EQUAL(11, c.bytes());
}

TEST(BodyCache, LeastRecentlyUsedGoesFirst) {
    BodyCache c(3 * 101);  // three entries of key 1 + body 100
    c.put("a", body(100));
    c.put("b", body(100));
    c.put("c", body(100));
    CHECK(c.get("a") != nullptr);  // "b" is now the oldest
    c.put("d", body(100));
    CHECK(c.get("b") == nullptr);
    CHECK(c.get("a") != nullptr);
    CHECK(c.get("c") != nullptr);
    CHECK(c.get("d") != nullptr);
    LONGS_EQUAL(3, c.size());
    CHECK(c.bytes() <= 3 * 101);
}

TEST(BodyCache, TooBigOrOffStoresNothing) {
    BodyCache c(50);
    c.put("big", body(100));
    CHECK(c.get("big") == nullptr);
    LONGS_EQUAL(0, c.bytes());
    BodyCache off(0);
    off.put("a", body(1));
    CHECK(off.get("a") == nullptr);
}

TEST(BodyCache, ShrinkingTheBudgetEvicts) {
    BodyCache c(1000);
    c.put("a", body(100));
    c.put("b", body(100));
    c.set_max_bytes(150);
    CHECK(c.get("a") == nullptr);
    CHECK(c.get("b") != nullptr);
}

TEST(BodyCache, AKeyIsStoredOnce) {
    BodyCache c(1000);
    c.put("a", body(10, 'a'));
    c.put("a", body(10, 'b'));
    STRCMP_EQUAL(std::string(10, 'a').c_str(), c.get("a")->c_str());
    LONGS_EQUAL(11, c.bytes());
}
