// List ETags and If-None-Match matching (src/list_versions.cpp).
#include <string>

#include "list_versions.hpp"
#include "CppUTest/TestHarness.h"

using namespace msk;

TEST_GROUP(Etag){};

TEST(Etag, Shape) {
    STRCMP_EQUAL("\"cards.exclude.cb1.42\"", list_etag("cards", "exclude", "cb1", 42).c_str());
    STRCMP_EQUAL("\"columns.cb1.0\"", list_etag("columns", "", "cb1", 0).c_str());
    CHECK(list_etag("cards", "only", "cb1", 1) != list_etag("cards", "include", "cb1", 1));
    CHECK(list_etag("cards", "", "cb1", 1) != list_etag("columns", "", "cb1", 1));
}

TEST(Etag, Matching) {
    const std::string e = "\"cards.exclude.cb1.42\"";
    CHECK(etag_matches(e, e));
    CHECK(etag_matches("W/" + e, e));
    CHECK(etag_matches("\"x\", " + e, e));
    CHECK(etag_matches("\"x\",W/" + e + " , \"y\"", e));
    CHECK(etag_matches("*", e));
    CHECK(etag_matches("  * ", e));
    CHECK_FALSE(etag_matches("", e));
    CHECK_FALSE(etag_matches("\"cards.exclude.cb1.4\"", e));
    CHECK_FALSE(etag_matches("\"cards.exclude.cb1.420\"", e));
    CHECK_FALSE(etag_matches("cards.exclude.cb1.42", e));  // unquoted
    CHECK_FALSE(etag_matches("\"x\" " + e, e));              // no comma
    CHECK_FALSE(etag_matches("\"unterminated", e));
    CHECK_FALSE(etag_matches("*, " + e, e));
    CHECK_FALSE(etag_matches("w/" + e, e));
}
