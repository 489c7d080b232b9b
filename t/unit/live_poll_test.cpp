// The long-poll's stream ids and its gap rule (src/live_poll.hpp): when must a client
// that last saw `after` reload the board instead of reading on?
#include <string>

#include "live_poll.hpp"
#include "CppUTest/TestHarness.h"

using namespace msk;

namespace {
StreamId sid(const char *text) { return *parse_stream_id(text); }
}  // namespace

TEST_GROUP(LivePoll){};

TEST(LivePoll, StreamIds) {
    CHECK(parse_stream_id("1716640496789-0").has_value());
    STRCMP_EQUAL("1716640496789-12", parse_stream_id("1716640496789-12")->str().c_str());
    CHECK(parse_stream_id("0-0").has_value());
    CHECK_FALSE(parse_stream_id("").has_value());
    CHECK_FALSE(parse_stream_id("-1").has_value());
    CHECK_FALSE(parse_stream_id("1-").has_value());
    CHECK_FALSE(parse_stream_id("1").has_value());
    CHECK_FALSE(parse_stream_id("1-2-3").has_value());
    CHECK_FALSE(parse_stream_id("a-1").has_value());
    CHECK_FALSE(parse_stream_id("1-+2").has_value());
    CHECK_FALSE(parse_stream_id("99999999999999999999-0").has_value());  // past 2^64
    CHECK(sid("5-1") < sid("5-2"));
    CHECK(sid("5-9") < sid("6-0"));
    CHECK_FALSE(sid("6-0") < sid("6-0"));
}

TEST(LivePoll, NoGapWhileTheStreamHoldsEverythingAfterTheCursor) {
    TickStreamInfo s;
    s.first = sid("100-0");
    s.last = sid("300-0");
    s.max_deleted = sid("0-0");
    s.length = 3;
    s.entries_added = 3;
    CHECK_FALSE(ticks_missing(s, sid("100-0")));
    CHECK_FALSE(ticks_missing(s, sid("300-0")));
    CHECK_FALSE(ticks_missing(s, sid("0-0")));  // an empty stream then, all of it now
}

TEST(LivePoll, GapWhenTrimmedDeletedOrForeign) {
    TickStreamInfo s;
    s.first = sid("200-0");
    s.last = sid("300-0");
    s.max_deleted = sid("0-0");
    s.length = 2;
    s.entries_added = 5;
    CHECK(ticks_missing(s, sid("100-0")));      // trimmed past the cursor
    CHECK(ticks_missing(s, sid("0-0")));        // trimmed since it was created
    CHECK(ticks_missing(s, sid("400-0")));      // a cursor this stream never gave
    CHECK_FALSE(ticks_missing(s, sid("250-0")));
    s.max_deleted = sid("260-0");
    CHECK(ticks_missing(s, sid("250-0")));      // an entry after the cursor deleted
    CHECK_FALSE(ticks_missing(s, sid("260-0")));
}
