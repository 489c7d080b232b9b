// The fixed vectors of t/vectors/client-crypto.json (made by the independent
// JavaScript implementation) checked against client/crypto/, one test per
// section. The file is found through $MSKANBAN_VECTORS or the path compiled in.
#include <jansson.h>

#include <cstdlib>
#include <string>

#include "client_crypto_cases.hpp"

#include <CppUTest/TestHarness.h>

namespace {
std::string vectors_path() {
    const char *env = std::getenv("MSKANBAN_VECTORS");
    return env ? env : MSKANBAN_VECTORS;
}

void run_section(const char *section) {
    json_error_t err;
    json_t *doc = json_load_file(vectors_path().c_str(), JSON_ALLOW_NUL, &err);
    if (!doc) FAIL(("cannot read " + vectors_path() + ": " + err.text).c_str());
    std::string failures;
    int failed = mskanban::testing::check_section(doc, section, [&](bool ok, const std::string &name) {
        if (!ok) failures += name + "; ";
    });
    json_decref(doc);
    if (failed) FAIL(failures.c_str());
}
}  // namespace

TEST_GROUP(ClientVectors){};

TEST(ClientVectors, KdfMatchesHashWasm) { run_section("kdf"); }
TEST(ClientVectors, EnvelopesByteIdentical) { run_section("envelopes"); }
TEST(ClientVectors, X25519PublicKey) { run_section("x25519"); }
TEST(ClientVectors, RecoveryPhrase) { run_section("recovery"); }
TEST(ClientVectors, SealedWorkspaceKey) { run_section("sealedWorkspaceKeys"); }
TEST(ClientVectors, AccountBundleFromJs) { run_section("accounts"); }
TEST(ClientVectors, HierarchyFromJs) { run_section("hierarchy"); }
TEST(ClientVectors, TamperedValuesRefused) { run_section("mustFail"); }
TEST(ClientVectors, TextIsStrictUtf8) { run_section("text"); }
TEST(ClientVectors, Base64urlIsStrict) { run_section("base64url"); }
TEST(ClientVectors, Fingerprints) { run_section("fingerprints"); }
TEST(ClientVectors, RecoveryPhraseParsing) { run_section("recoveryParsing"); }
