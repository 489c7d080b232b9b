-- Workspaces and members.

-- name: workspace_insert
INSERT INTO workspaces (id, enc_name, created_by) VALUES ($1, $2, $3)
ON CONFLICT (id) DO NOTHING
RETURNING id

-- name: workspace_rename
UPDATE workspaces SET enc_name = $2, updated_at = now() WHERE id = $1

-- name: workspace_delete
DELETE FROM workspaces WHERE id = $1

-- name: workspaces_of_user
SELECT w.id, w.enc_name, m.role, m.enc_workspace_key,
       msk_iso(w.created_at) AS created_at, msk_iso(w.updated_at) AS updated_at
FROM workspace_members m JOIN workspaces w ON w.id = m.workspace_id
WHERE m.user_id = $1
ORDER BY w.created_at, w.id

-- name: workspace_of_user
SELECT w.id, w.enc_name, m.role, m.enc_workspace_key,
       msk_iso(w.created_at) AS created_at, msk_iso(w.updated_at) AS updated_at
FROM workspace_members m JOIN workspaces w ON w.id = m.workspace_id
WHERE w.id = $1 AND m.user_id = $2

-- name: member_insert
INSERT INTO workspace_members (workspace_id, user_id, role, enc_workspace_key, added_by)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (workspace_id, user_id) DO NOTHING
RETURNING user_id

-- name: members_of_workspace
SELECT m.user_id, u.email, u.public_key, m.role, m.added_by, msk_iso(m.created_at) AS created_at
FROM workspace_members m JOIN users u ON u.id = m.user_id
WHERE m.workspace_id = $1 AND u.email IS NOT NULL  -- a deleted account (NULL email) is not listed
ORDER BY m.created_at, m.user_id

-- name: member_of_workspace
SELECT m.user_id, u.email, u.public_key, m.role, m.added_by, msk_iso(m.created_at) AS created_at
FROM workspace_members m JOIN users u ON u.id = m.user_id
WHERE m.workspace_id = $1 AND m.user_id = $2

-- name: member_roles_for_update
SELECT user_id, role FROM workspace_members WHERE workspace_id = $1 ORDER BY user_id FOR UPDATE

-- name: member_delete
DELETE FROM workspace_members WHERE workspace_id = $1 AND user_id = $2

-- name: user_exists
-- A deleted account's tombstone (kept 30 days) names no one who can be added.
SELECT id FROM users WHERE id = $1 AND deleted_at IS NULL

-- name: user_key_by_email
SELECT id, public_key FROM users WHERE email = $1

-- The boards of a workspace about to be deleted (their Redis tick streams go with it).
-- name: board_ids_of_workspace
SELECT id FROM boards WHERE workspace_id = $1

-- The workspace row, locked first by changes to its membership (lock order: workspace,
-- then member rows), so a member leaving and the workspace being deleted queue up
-- instead of deadlocking.
-- name: workspace_lock
SELECT id FROM workspaces WHERE id = $1 FOR UPDATE
