// Route matching: params, 404 and 405 with Allow.
#include <string>
#include <vector>

#include "routes.hpp"
#include "CppUTest/TestHarness.h"

using namespace msk;

static Result<Response> dummy(Ctx &) { return no_content(); }

static const std::vector<Route> kRoutes = {
    {"GET", "/boards/:id", dummy, Access::session, "read"},
    {"PATCH", "/boards/:id", dummy, Access::session, "mutation"},
    {"POST", "/auth/login", dummy, Access::anonymous, "login"},
};

TEST_GROUP(Router){};

TEST(Router, MatchesWithParams) {
    auto m = match_route(kRoutes, "PATCH", "/boards/cabc");
    CHECK(m.ok());
    STRCMP_EQUAL("cabc", m->params["id"].c_str());
    STRCMP_EQUAL("PATCH", m->route->method);
}

TEST(Router, HeadFallsBackToGet) { CHECK(match_route(kRoutes, "HEAD", "/boards/c1").ok()); }

TEST(Router, UnknownPathIs404) {
    auto m = match_route(kRoutes, "GET", "/boards");
    CHECK_FALSE(m.ok());
    LONGS_EQUAL(404, m.error().status);
    CHECK_FALSE(match_route(kRoutes, "GET", "/boards/").ok());
    CHECK_FALSE(match_route(kRoutes, "GET", "/boards/c1/extra").ok());
}

TEST(Router, WrongMethodIs405WithAllow) {
    auto m = match_route(kRoutes, "DELETE", "/boards/c1");
    CHECK_FALSE(m.ok());
    LONGS_EQUAL(405, m.error().status);
    STRCMP_EQUAL("Allow", m.error().headers[0].first.c_str());
    STRCMP_EQUAL("GET, PATCH", m.error().headers[0].second.c_str());
}
