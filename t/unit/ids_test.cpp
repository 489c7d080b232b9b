// Ids: shape, validation and uniqueness.
#include <set>
#include <string>

#include "ids.hpp"
#include "CppUTest/TestHarness.h"

using namespace msk;

TEST_GROUP(Ids){};

TEST(Ids, NewIdsAreValidAndUnique) {
    std::set<std::string> seen;
    for (int i = 0; i < 10000; i++) {
        std::string id = new_id();
        LONGS_EQUAL(25, id.size());
        CHECK(is_valid_id(id));
        CHECK(seen.insert(id).second);
    }
}

TEST(Ids, Validation) {
    CHECK(is_valid_id("cabc123"));
    CHECK_FALSE(is_valid_id(""));
    CHECK_FALSE(is_valid_id("c"));
    CHECK_FALSE(is_valid_id("xabc"));
    CHECK_FALSE(is_valid_id("cABC"));
    CHECK_FALSE(is_valid_id("cab/../"));
    CHECK_FALSE(is_valid_id("c" + std::string(64, 'a')));
    CHECK(is_valid_id("c" + std::string(63, 'a')));
}
