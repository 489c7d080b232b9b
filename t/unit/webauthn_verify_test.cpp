// WebAuthn checks that need no server: clientDataJSON, the sign-count rule, malformed
// attestation objects, and the relying party the config implies. Whole ceremonies with
// real keys are t/22webauthn.t (software authenticator) and t/23webauthn-browser.t.
#include <string>

#include "config.hpp"
#include "webauthn.hpp"
#include "webauthn_verify.hpp"
#include "CppUTest/TestHarness.h"

using namespace msk;

TEST_GROUP(Webauthn) {
    RpPolicy policy;
    void setup() override {
        policy.rp_id = "kanban.example";
        policy.rp_name = "MSKanban";
        policy.origins = {"https://kanban.example"};
    }
    std::string cd(const std::string &type, const std::string &challenge, const std::string &origin,
                   const std::string &extra = "") {
        return "{\"type\":\"" + type + "\",\"challenge\":\"" + challenge + "\",\"origin\":\"" + origin + "\"" + extra + "}";
    }
};

TEST(Webauthn, SignCountMustGrowUnlessBothZero) {
    CHECK(sign_count_ok(0, 0));
    CHECK(sign_count_ok(0, 1));
    CHECK(sign_count_ok(5, 6));
    CHECK_FALSE(sign_count_ok(5, 5));
    CHECK_FALSE(sign_count_ok(5, 0));
    CHECK_FALSE(sign_count_ok(5, 4));
}

TEST(Webauthn, ClientData) {
    const std::string ok = cd("webauthn.get", "abc", "https://kanban.example");
    CHECK(check_client_data(ok, "webauthn.get", "abc", policy).ok());
    STRCMP_EQUAL("abc", client_data_challenge(ok).value().c_str());
    CHECK_FALSE(check_client_data(ok, "webauthn.create", "abc", policy).ok());
    CHECK_FALSE(check_client_data(ok, "webauthn.get", "abd", policy).ok());
    CHECK_FALSE(check_client_data(cd("webauthn.get", "abc", "https://evil.example"), "webauthn.get", "abc", policy).ok());
    CHECK_FALSE(check_client_data(cd("webauthn.get", "abc", "https://kanban.example:444"), "webauthn.get", "abc", policy).ok());
    CHECK_FALSE(check_client_data(cd("webauthn.get", "abc", "https://kanban.example", ",\"crossOrigin\":true"),
                                  "webauthn.get", "abc", policy).ok());
    CHECK(check_client_data(cd("webauthn.get", "abc", "https://kanban.example", ",\"crossOrigin\":false"),
                            "webauthn.get", "abc", policy).ok());
    CHECK_FALSE(client_data_challenge("not json").ok());
    LONGS_EQUAL(400, client_data_challenge("{}").error().status);
}

TEST(Webauthn, MalformedAttestationIsBadRequest) {
    const std::string client_data = cd("webauthn.create", "abc", "https://kanban.example");
    for (const std::string &att : {std::string(), std::string("\xa0", 1), std::string("\x01", 1),
                                   std::string("\xa1\x63" "fmt\x64none", 10)}) {
        auto r = verify_registration(att, client_data, policy);
        CHECK_FALSE(r.ok());
        LONGS_EQUAL(400, r.error().status);
    }
    // {"fmt": "tpm", "attStmt": {}, "authData": h''}: a format this server does not take.
    const std::string tpm("\xa3\x63" "fmt\x63tpm\x67" "attStmt\xa0\x68" "authData\x40", 28);
    auto r = verify_registration(tpm, client_data, policy);
    CHECK_FALSE(r.ok());
    CHECK(r.error().message.find("tpm") != std::string::npos);
}

TEST(Webauthn, AssertionNeedsAuthenticatorData) {
    auto r = verify_assertion(std::string(64, 'x'), kCoseEs256, "short", "{}", "sig", policy);
    LONGS_EQUAL(400, r.error().status);
}

TEST(Webauthn, PolicyFromConfig) {
    auto c = parse_config("allowed_origins = https://kanban.example:8443, https://other.example\n",
                          [](const std::string &) { return std::nullopt; });
    RpPolicy p = webauthn_policy(*c);
    STRCMP_EQUAL("kanban.example", p.rp_id.c_str());
    LONGS_EQUAL(2, p.origins.size());
    CHECK_FALSE(p.require_uv);
    c = parse_config("allowed_origins = https://a.example\nwebauthn_origins = https://b.example/\n"
                     "webauthn_rp_id = example\nwebauthn_user_verification = required\nwebauthn_challenge_ttl = 30s\n",
                     [](const std::string &) { return std::nullopt; });
    p = webauthn_policy(*c);
    STRCMP_EQUAL("example", p.rp_id.c_str());
    LONGS_EQUAL(1, p.origins.size());
    STRCMP_EQUAL("https://b.example", p.origins[0].c_str());
    CHECK(p.require_uv);
    LONGS_EQUAL(30, c->webauthn_challenge_ttl_s);
    CHECK_FALSE(parse_config("webauthn_user_verification = maybe\n", [](const std::string &) { return std::nullopt; }).ok());
}
