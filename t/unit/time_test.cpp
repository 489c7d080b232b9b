// ISO 8601 timestamps with milliseconds.
#include <string>

#include "timeutil.hpp"
#include "CppUTest/TestHarness.h"

using namespace msk;

TEST_GROUP(Time){};

TEST(Time, FormatsWithMilliseconds) {
    STRCMP_EQUAL("1970-01-01T00:00:00.000Z", iso8601_ms(0).c_str());
    STRCMP_EQUAL("2026-05-25T12:34:56.789Z", iso8601_ms(1779712496789LL).c_str());
}

TEST(Time, ParsesTheWireForm) {
    auto t = parse_iso8601_ms("2026-05-25T12:34:56.789Z");
    CHECK(t.has_value());
    LONGLONGS_EQUAL(1779712496789LL, *t);
    CHECK(parse_iso8601_ms("2026-05-25T12:34:56Z").has_value());
    CHECK(*parse_iso8601_ms("2024-02-29T00:00:00Z") > 0);
}

TEST(Time, RejectsOtherForms) {
    CHECK_FALSE(parse_iso8601_ms("2026-05-25 12:34:56Z").has_value());
    CHECK_FALSE(parse_iso8601_ms("2026-05-25T12:34:56+02:00").has_value());
    CHECK_FALSE(parse_iso8601_ms("2026-13-01T00:00:00Z").has_value());
    CHECK_FALSE(parse_iso8601_ms("2023-02-29T00:00:00Z").has_value());
    CHECK_FALSE(parse_iso8601_ms("2026-05-25T12:34:56.78Z").has_value());
    CHECK_FALSE(parse_iso8601_ms("").has_value());
    CHECK_FALSE(parse_iso8601_ms("0000-01-01T00:00:00.000Z").has_value());
    CHECK(parse_iso8601_ms("0001-01-01T00:00:00.000Z").has_value());
    CHECK(parse_iso8601_ms("9999-12-31T23:59:59.999Z").has_value());
}
