// Config parsing: defaults, overrides from the environment, and errors that name the key.
#include <map>
#include <string>

#include "config.hpp"
#include "CppUTest/TestHarness.h"

using namespace msk;

static EnvLookup env_of(std::map<std::string, std::string> m) {
    return [m](const std::string &k) -> std::optional<std::string> {
        auto it = m.find(k);
        if (it == m.end()) return std::nullopt;
        return it->second;
    };
}

static std::string error_of(const std::string &text, std::map<std::string, std::string> env = {}) {
    auto r = parse_config(text, env_of(env));
    return r.ok() ? "" : r.error().message;
}

TEST_GROUP(Config){};

TEST(Config, DefaultsMatchTheDesign) {
    auto c = parse_config("", env_of({}));
    CHECK(c.ok());
    LONGS_EQUAL(10, c->rate_limits["login"].limit);
    LONGS_EQUAL(60, c->rate_limits["login"].window_s);
    LONGS_EQUAL(5, c->rate_limits["register"].limit);
    LONGS_EQUAL(3600, c->rate_limits["register"].window_s);
    LONGS_EQUAL(60, c->rate_limits["mutation"].limit);
    LONGS_EQUAL(600, c->rate_limits["read"].limit);
    LONGS_EQUAL(19456, c->argon2.memory_kib);
    LONGS_EQUAL(1800, c->session_idle_s);
    LONGS_EQUAL(43200, c->session_absolute_s);
}

TEST(Config, ParsesKeysCommentsAndDurations) {
    auto c = parse_config(
        "# comment\n threads = 8 \nsession_idle_timeout = 15m\nrate_limit.read = 100/30s\n"
        "allowed_origins = https://a.example, http://127.0.0.1:8080/\n",
        env_of({}));
    CHECK(c.ok());
    LONGS_EQUAL(8, c->threads);
    LONGS_EQUAL(900, c->session_idle_s);
    LONGS_EQUAL(100, c->rate_limits["read"].limit);
    LONGS_EQUAL(30, c->rate_limits["read"].window_s);
    LONGS_EQUAL(2, c->allowed_origins.size());
    STRCMP_EQUAL("http://127.0.0.1:8080", c->allowed_origins[1].c_str());
}

TEST(Config, EnvironmentOverridesTheFile) {
    auto c = parse_config("threads = 8\n", env_of({{"MSKANBAN_THREADS", "3"}, {"MSKANBAN_RATE_LIMIT_LOGIN", "2/1m"}}));
    CHECK(c.ok());
    LONGS_EQUAL(3, c->threads);
    LONGS_EQUAL(2, c->rate_limits["login"].limit);
}

TEST(Config, ErrorsNameTheKeyAndLine) {
    std::string e = error_of("threads = 8\nthreds = 2\n");
    CHECK(e.find("\"threds\"") != std::string::npos);
    CHECK(e.find(":2") != std::string::npos);
    e = error_of("threads = many\n");
    CHECK(e.find("\"threads\"") != std::string::npos);
    e = error_of("", {{"MSKANBAN_REDIS_PORT", "70000"}});
    CHECK(e.find("MSKANBAN_REDIS_PORT") != std::string::npos);
    e = error_of("rate_limit.login = ten per minute\n");
    CHECK(e.find("rate_limit.login") != std::string::npos);
    e = error_of("at_rest_key = 1234\n");
    CHECK(e.find("at_rest_key") != std::string::npos);
    e = error_of("just words\n");
    CHECK(e.find("key = value") != std::string::npos);
}

TEST(Config, RedisPasswordAndDatabase) {
    auto c = parse_config("", env_of({}));
    CHECK(c.ok());
    STRCMP_EQUAL("", c->redis_password.c_str());
    LONGS_EQUAL(0, c->redis_db);
    c = parse_config("redis_password = s3cret\nredis_db = 3\n", env_of({}));
    CHECK(c.ok());
    STRCMP_EQUAL("s3cret", c->redis_password.c_str());
    LONGS_EQUAL(3, c->redis_db);
    c = parse_config("", env_of({{"MSKANBAN_REDIS_DB", "2"}}));
    LONGS_EQUAL(2, c->redis_db);
    CHECK(error_of("redis_db = -1\n").find("\"redis_db\"") != std::string::npos);
    CHECK(error_of("redis_db = one\n").find("\"redis_db\"") != std::string::npos);
}

TEST(Config, RateLimitSyntax) {
    CHECK(parse_rate_limit("10/1m").has_value());
    LONGS_EQUAL(3600, parse_rate_limit("5/1h")->window_s);
    CHECK_FALSE(parse_rate_limit("10").has_value());
    CHECK_FALSE(parse_rate_limit("0/1m").has_value());
    CHECK_FALSE(parse_rate_limit("10/0s").has_value());
}
