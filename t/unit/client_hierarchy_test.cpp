// The key hierarchy end to end inside the C++ library: register, log in,
// recover, share a workspace, and the failures a user must see.
#include <string>
#include <utility>

#include "crypto/aad.hpp"
#include "crypto/envelope.hpp"
#include "crypto/hierarchy.hpp"

#include <CppUTest/TestHarness.h>

using namespace mskanban::crypto;

namespace {
KdfParams small() {
    KdfParams p;
    p.memory_kib = 8192;
    p.iterations = 1;
    return p;
}
}  // namespace

TEST_GROUP(ClientHierarchy){};

TEST(ClientHierarchy, RegisterThenLogin) {
    auto acct = create_account("hunter2 hunter2", small());
    CHECK(acct.ok());
    auto &a = acct.value();
    auto u = unlock("hunter2 hunter2", a.kdf_salt, a.auth_salt, small());
    STRCMP_EQUAL(a.auth_hash.c_str(), u.value().auth_hash.c_str());
    auto keys = open_account_keys(u.value().master_key, a.enc_symmetric_key, a.enc_private_key, a.public_key);
    CHECK(keys.ok());
    CHECK(keys.value().usk.equals(a.usk));
    CHECK(recover_usk(a.recovery_phrase, a.enc_recovery_blob).value().equals(a.usk));
}

TEST(ClientHierarchy, WrongPasswordGivesOtherAuthHashAndNoKeys) {
    auto a = create_account("right password", small());
    auto u = unlock("wrong password", a.value().kdf_salt, a.value().auth_salt, small());
    CHECK(u.value().auth_hash != a.value().auth_hash);
    auto keys = open_account_keys(u.value().master_key, a.value().enc_symmetric_key,
                                  a.value().enc_private_key, a.value().public_key);
    CHECK_FALSE(keys.ok());
    CHECK(keys.error().code == Errc::decrypt_failed);
}

TEST(ClientHierarchy, SwappedAccountWrapsRefused) {
    auto a = create_account("pw pw pw pw", small());
    auto u = unlock("pw pw pw pw", a.value().kdf_salt, a.value().auth_salt, small());
    // The server hands back the two wrapped keys in each other's place.
    CHECK_FALSE(open_account_keys(u.value().master_key, a.value().enc_private_key,
                                  a.value().enc_symmetric_key, a.value().public_key).ok());
}

TEST(ClientHierarchy, ShareWorkspaceBySealing) {
    auto owner_usk = new_key();
    auto wk = new_key();
    auto invitee = generate_keypair();
    AccountKeys invitee_keys{new_key(), std::move(keypair_from_secret(invitee.secret_key).value())};
    AccountKeys owner_keys{owner_usk.clone(), generate_keypair()};

    auto own_row = wrap_workspace_key(owner_usk, "cws1", wk).value();
    auto invite_row = seal_workspace_key(invitee.public_key, "cws1", wk).value();
    CHECK(open_member_workspace_key(owner_keys, "cws1", own_row).value().equals(wk));
    CHECK(open_member_workspace_key(invitee_keys, "cws1", invite_row).value().equals(wk));
    // A sealed key replayed onto another workspace, or a row opened by a stranger.
    CHECK_FALSE(open_member_workspace_key(invitee_keys, "cws2", invite_row).ok());
    CHECK_FALSE(open_member_workspace_key(owner_keys, "cws1", invite_row).ok());
}

TEST(ClientHierarchy, BoardKeyBoundToBoard) {
    auto wk = new_key(), bk = new_key();
    auto env = wrap_board_key(wk, "cb1", bk).value();
    CHECK(unwrap_board_key(wk, "cb1", env).value().equals(bk));
    CHECK_FALSE(unwrap_board_key(wk, "cb2", env).ok());
    CHECK_FALSE(unwrap_workspace_key(wk, "cb1", env).ok());
}

TEST(ClientHierarchy, KdfParamsBounded) {
    KdfParams p;
    p.memory_kib = 4 * 1024 * 1024;
    CHECK_FALSE(check_kdf_params(p).ok());
    p = KdfParams{};
    p.iterations = 0;
    CHECK_FALSE(check_kdf_params(p).ok());
    CHECK(check_kdf_params(KdfParams{}).ok());
}
