// Page cursors: absent means the first page, digits are a seq, anything else is a 400.
#include <optional>
#include <string>

#include "page_cursor.hpp"
#include "CppUTest/TestHarness.h"

using namespace msk;

TEST_GROUP(PageCursor){};

TEST(PageCursor, AbsentIsTheFirstPage) {
    auto c = parse_seq_cursor(std::nullopt, "before");
    CHECK(c.ok());
    LONGS_EQUAL(0, *c);
}

TEST(PageCursor, DigitsAreASeq) {
    auto c = parse_seq_cursor(std::string("12345"), "before");
    CHECK(c.ok());
    LONGS_EQUAL(12345, *c);
    CHECK(parse_seq_cursor(std::string(18, '9'), "after").ok());
}

TEST(PageCursor, AnythingElseIsABadRequestNamingTheField) {
    for (const char *bad : {"", "x1", "-1", "1 ", "1.5", "0x10", "1234567890123456789"}) {
        auto c = parse_seq_cursor(std::string(bad), "after");
        CHECK_FALSE(c.ok());
        LONGS_EQUAL(400, c.error().status);
        CHECK(c.error().message.find("\"after\"") != std::string::npos);
    }
}
