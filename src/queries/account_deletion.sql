-- DELETE /me and the hard delete 30 days later (src/account_deletion.cpp, docs/decisions.md).

-- name: deletion_user_for_update
SELECT auth_hash, totp_secret, totp_last_step FROM users WHERE id = $1 AND deleted_at IS NULL FOR UPDATE

-- name: deletion_lock_workspaces
-- The user's workspaces, locked in id order before any member row (lock order
-- workspace -> membership), so no concurrent removal or role change slips between the
-- owner check and the deletion.
SELECT id FROM workspaces
WHERE id IN (SELECT workspace_id FROM workspace_members WHERE user_id = $1)
ORDER BY id FOR UPDATE

-- name: deletion_sole_owned_workspaces
-- Workspaces where the user is the only owner (other members or not).
SELECT m.workspace_id AS id FROM workspace_members m
WHERE m.user_id = $1 AND m.role = 'owner'
  AND NOT EXISTS (SELECT 1 FROM workspace_members o
                  WHERE o.workspace_id = m.workspace_id AND o.role = 'owner' AND o.user_id <> $1)
ORDER BY m.workspace_id

-- name: deletion_memberships_delete
-- The user's member rows go, and with them their copies of the Workspace Keys (sealed or
-- wrapped), their assignments and their notifications (ON DELETE CASCADE, sql/007, 009).
DELETE FROM workspace_members WHERE user_id = $1 RETURNING workspace_id, role

-- name: deletion_sessions_forget
-- The sessions (revoked just before) keep no address hash or user agent.
UPDATE sessions SET ip_hash = NULL, user_agent = NULL WHERE user_id = $1

-- name: deletion_idempotency_delete
-- Stored responses may quote the user's data.
DELETE FROM idempotency_keys WHERE user_id = $1

-- name: deletion_shred_user
-- The crypto-shred: without the wrapped keys nothing the user encrypted can be opened,
-- and without the email and salts the account cannot be found or logged into. The row
-- stays as a tombstone (id, created_at, deleted_at) until the hard delete.
UPDATE users SET email = NULL, auth_hash = NULL, kdf_salt = NULL, auth_salt = NULL, public_key = NULL,
                 enc_private_key = NULL, enc_symmetric_key = NULL, enc_recovery_blob = NULL,
                 recovery_verifier = NULL, enc_recovery_private_key = NULL,
                 totp_secret = NULL, totp_pending = NULL, deleted_at = now()
WHERE id = $1 AND deleted_at IS NULL

-- name: gc_deleted_accounts
-- Tombstones of accounts deleted more than $1 seconds ago, at most $2 of them. Their
-- sessions, mentions and credentials go with them (ON DELETE CASCADE); content they
-- wrote stays, its author column set to NULL (ON DELETE SET NULL).
DELETE FROM users
WHERE id = ANY (ARRAY(SELECT id FROM users
                      WHERE deleted_at < now() - make_interval(secs => $1)
                      ORDER BY deleted_at LIMIT $2))
