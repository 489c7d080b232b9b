// DELETE /me: a user deletes their account. The request proves a fresh login (authHash,
// and the TOTP code when TOTP is on); then, in one transaction, the account is
// crypto-shredded (wrapped keys, recovery blob and verifier, the user's copies of every
// Workspace Key, TOTP secrets and WebAuthn credentials), every session ends, the email is
// freed, and the row is left as a tombstone that the job runner (or `mskanbanctl gc`)
// deletes 30 days later. Content the user wrote in shared workspaces stays. Queries in
// src/queries/account_deletion.sql; the decisions are in docs/decisions.md.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config.hpp"
#include "db.hpp"
#include "error.hpp"
#include "sessions.hpp"
#include "webauthn.hpp"

namespace msk {

class Redis;

// How long a deleted account's tombstone is kept before the hard delete.
constexpr int kDeletedAccountRetentionDays = 30;

struct DeletionInput {
    std::string auth_hash;  // decoded, 32 bytes
    std::optional<std::string> totp;
    std::optional<WebauthnAssertion> webauthn;  // from POST /me/webauthn/challenge
    bool delete_owned_workspaces = false;
};

struct DeletionResult {
    std::vector<std::string> deleted_workspaces;
};

// Deletes the signed-in account. 403 for a wrong authHash, TOTP code or security-key
// assertion (each counts as a failed login of the account: backoff and lock apply); the
// second factor is a step-up assertion when the account has a key (or the TOTP code when
// TOTP is on too): 403 WEBAUTHN_REQUIRED without either, 403 TOTP_REQUIRED without a code
// when TOTP is the only factor; 429 while the account waits, 503 without Redis; 409 naming the
// workspaces where the user is the only owner, unless `delete_owned_workspaces` (they are
// then deleted as DELETE /workspaces/:id deletes them). Revocations and tick-stream
// deletions are published after commit.
Result<DeletionResult> delete_account(Tx &tx, Redis &redis, const Config &cfg, const SessionAuth &auth,
                                      const DeletionInput &in);

// The hard delete: removes up to `batch` tombstones older than the retention period;
// returns how many.
long purge_deleted_accounts(pqxx::work &tx, long batch);

}  // namespace msk
