// Position keys: ordering, validation, bounded growth and rebalancing.
#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "positions.hpp"
#include "CppUTest/TestHarness.h"

using namespace msk;

TEST_GROUP(Positions){};

TEST(Positions, FirstKeyAndEnds) {
    STRCMP_EQUAL("a0", key_between(std::nullopt, std::nullopt)->c_str());
    STRCMP_EQUAL("a1", key_between(std::string("a0"), std::nullopt)->c_str());
    STRCMP_EQUAL("Zz", key_between(std::nullopt, std::string("a0"))->c_str());
    STRCMP_EQUAL("a0V", key_between(std::string("a0"), std::string("a1"))->c_str());
    STRCMP_EQUAL("b00", key_between(std::string("az"), std::nullopt)->c_str());
}

TEST(Positions, RejectsBadInput) {
    CHECK_FALSE(key_between(std::string("a1"), std::string("a0")).has_value());
    CHECK_FALSE(key_between(std::string("a1"), std::string("a1")).has_value());
    CHECK_FALSE(key_between(std::string(""), std::nullopt).has_value());
    CHECK_FALSE(key_between(std::string("a0-"), std::nullopt).has_value());
    CHECK_FALSE(is_position_key("a0V0"));  // trailing zero in the fraction
    CHECK_FALSE(is_position_key("b0"));    // integer part too short
    CHECK_FALSE(is_position_key("A" + std::string(26, '0')));
    CHECK(is_position_key("a0"));
    CHECK(is_position_key("a0V"));
}

TEST(Positions, AppendingStaysShort) {
    std::optional<std::string> k;
    for (int i = 0; i < 10000; i++) {
        auto n = key_between(k, std::nullopt);
        CHECK(n.has_value());
        if (k) CHECK(*k < *n);
        k = n;
    }
    CHECK(k->size() <= 4);
}

TEST(Positions, PrependingStaysShort) {
    std::optional<std::string> k;
    for (int i = 0; i < 10000; i++) {
        auto n = key_between(std::nullopt, k);
        CHECK(n.has_value());
        if (k) CHECK(*n < *k);
        k = n;
    }
    CHECK(k->size() <= 4);
}

// Inserting repeatedly at one spot grows keys slowly; a caller rebalances past the limit.
TEST(Positions, RepeatedInsertAtOneSpotGrowsSlowly) {
    std::string lo = "a0", hi = "a1";
    int inserts = 0;
    while (true) {
        auto k = key_between(lo, hi);
        CHECK(k.has_value());
        CHECK(lo < *k && *k < hi);
        CHECK(is_position_key(*k));
        hi = *k;
        if (k->size() > kMaxPositionKey) break;
        inserts++;
    }
    CHECK(inserts > 200);  // ~6 inserts per character before a rebalance is needed
}

TEST(Positions, RandomInsertsKeepOrder) {
    std::mt19937 rng(42);
    std::vector<std::string> list;
    for (int i = 0; i < 2000; i++) {
        size_t at = list.empty() ? 0 : rng() % (list.size() + 1);
        std::optional<std::string> lo, hi;
        if (at > 0) lo = list[at - 1];
        if (at < list.size()) hi = list[at];
        auto k = key_between(lo, hi);
        CHECK(k.has_value());
        CHECK(is_position_key(*k));
        list.insert(list.begin() + static_cast<long>(at), *k);
    }
    CHECK(std::is_sorted(list.begin(), list.end()));
    CHECK(std::adjacent_find(list.begin(), list.end()) == list.end());
}

TEST(Positions, SpacedKeysAreShortAndIncreasing) {
    auto keys = spaced_keys(5000);
    LONGS_EQUAL(5000, keys.size());
    CHECK(std::is_sorted(keys.begin(), keys.end()));
    CHECK(std::adjacent_find(keys.begin(), keys.end()) == keys.end());
    CHECK(keys.back().size() <= 4);
}

namespace {

std::vector<Sibling> list_of(const std::vector<std::string> &ids) {
    std::vector<Sibling> out;
    auto keys = spaced_keys(ids.size());
    for (size_t i = 0; i < ids.size(); i++) out.push_back({ids[i], keys[i], false});
    return out;
}

Result<Placement> place(const std::vector<Sibling> &l, const char *after, const char *before) {
    std::optional<std::string> a, b;
    if (after) a = after;
    if (before) b = before;
    return place_item(l, a, b, "afterCardId", "beforeCardId");
}

}  // namespace

TEST(Positions, PlaceAtEndAfterAndBefore) {
    auto l = list_of({"x", "y", "z"});
    auto end = place(l, nullptr, nullptr);
    CHECK(end.ok());
    CHECK(end->key > l[2].position);
    auto after = place(l, "x", nullptr);
    CHECK(after->key > l[0].position && after->key < l[1].position);
    auto before = place(l, nullptr, "x");
    CHECK(before->key < l[0].position);
    auto both = place(l, "y", "z");
    CHECK(both->key > l[1].position && both->key < l[2].position);
    CHECK(both->rewrites.empty());
    CHECK(place({}, nullptr, nullptr).ok());
}

TEST(Positions, PlaceRejectsStrangersAndGaps) {
    auto l = list_of({"x", "y", "z"});
    LONGS_EQUAL(400, place(l, "nope", nullptr).error().status);
    LONGS_EQUAL(400, place(l, nullptr, "nope").error().status);
    LONGS_EQUAL(409, place(l, "x", "z").error().status);  // y is between them
    LONGS_EQUAL(409, place(l, "z", "x").error().status);  // wrong order
    LONGS_EQUAL(409, place(l, "x", "x").error().status);
    l[1].hidden = true;  // an archived card between x and z does not count
    auto ok = place(l, "x", "z");
    CHECK(ok.ok());
    CHECK(ok->key > l[0].position && ok->key < l[1].position);
}

TEST(Positions, PlaceRebalancesInsteadOfGrowing) {
    auto l = list_of({"x", "y"});
    int rebalances = 0;
    for (int i = 0; i < 1000; i++) {
        auto p = place(l, "x", l[1].id.c_str());  // always straight after x
        CHECK(p.ok());
        CHECK(p->key.size() <= kMaxPositionKey);
        if (!p->rewrites.empty()) {
            rebalances++;
            for (auto &rw : p->rewrites)
                for (auto &s : l)
                    if (s.id == rw.first) s.position = rw.second;
        }
        l.insert(l.begin() + 1, Sibling{"n" + std::to_string(i), p->key, false});
        for (size_t j = 1; j < l.size(); j++) CHECK(l[j - 1].position < l[j].position);
    }
    CHECK(rebalances > 0);
    CHECK(rebalances < 100);
}
