// Cookie and query-string parsing.
#include <string>

#include "http.hpp"
#include "CppUTest/TestHarness.h"

using namespace msk;

TEST_GROUP(Http){};

TEST(Http, CookieValue) {
    STRCMP_EQUAL("tok", cookie_value("mskanban_session=tok", "mskanban_session").c_str());
    STRCMP_EQUAL("tok", cookie_value("a=1; mskanban_session=tok; b=2", "mskanban_session").c_str());
    STRCMP_EQUAL("", cookie_value("xmskanban_session=tok", "mskanban_session").c_str());
    STRCMP_EQUAL("", cookie_value("mskanban_sessionx=tok", "mskanban_session").c_str());
    STRCMP_EQUAL("", cookie_value("", "mskanban_session").c_str());
    STRCMP_EQUAL("", cookie_value("mskanban_session", "mskanban_session").c_str());
    STRCMP_EQUAL("first", cookie_value("mskanban_session=first; mskanban_session=second", "mskanban_session").c_str());
}

TEST(Http, QueryParam) {
    Request r;
    r.query = "t=abc%2Bd&room=board%3Acx&empty=&flag";
    STRCMP_EQUAL("abc+d", r.query_param("t")->c_str());
    STRCMP_EQUAL("board:cx", r.query_param("room")->c_str());
    STRCMP_EQUAL("", r.query_param("empty")->c_str());
    STRCMP_EQUAL("", r.query_param("flag")->c_str());
    CHECK_FALSE(r.query_param("missing").has_value());
    STRCMP_EQUAL("a b%zz", url_decode("a+b%zz").c_str());
}
