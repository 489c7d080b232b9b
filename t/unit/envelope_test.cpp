// Envelope shape checks: the server validates shape and size, never content.
#include <string>

#include "base64url.hpp"
#include "envelope.hpp"
#include "CppUTest/TestHarness.h"

using namespace msk;

static std::string env(size_t nonce, size_t ct) {
    return "v1." + b64url_encode(std::string(nonce, 'n')) + "." + b64url_encode(std::string(ct, 'c'));
}

TEST_GROUP(Envelope){};

TEST(Envelope, AcceptsWellFormed) {
    STRCMP_EQUAL("", envelope_problem(env(24, 16), 100).c_str());
    STRCMP_EQUAL("", envelope_problem(env(24, 100), 100).c_str());
}

TEST(Envelope, RejectsWrongVersionOrShape) {
    CHECK(!envelope_problem("v2." + env(24, 16).substr(3), 100).empty());
    CHECK(!envelope_problem("plaintext title", 100).empty());
    CHECK(!envelope_problem("v1.abc", 100).empty());
    CHECK(!envelope_problem("", 100).empty());
}

TEST(Envelope, RejectsBadNonceAndShortCiphertext) {
    CHECK(!envelope_problem(env(23, 16), 100).empty());
    CHECK(!envelope_problem(env(25, 16), 100).empty());
    CHECK(!envelope_problem(env(24, 15), 100).empty());
    CHECK(!envelope_problem(env(24, 16) + "=", 100).empty());
}

TEST(Envelope, RejectsOversize) {
    CHECK(!envelope_problem(env(24, 101), 100).empty());
}

TEST(Envelope, FixedSizeFields) {
    STRCMP_EQUAL("", fixed_b64url_problem(b64url_encode(std::string(32, 'k')), 32).c_str());
    CHECK(!fixed_b64url_problem(b64url_encode(std::string(31, 'k')), 32).empty());
    CHECK(!fixed_b64url_problem("not base64!", 32).empty());
}
