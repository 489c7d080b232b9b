-- Boards.

-- name: board_insert
INSERT INTO boards (id, workspace_id, enc_name, enc_board_key, created_by)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (id) DO NOTHING
RETURNING id, workspace_id, enc_name, enc_board_key,
          msk_iso(created_at) AS created_at, msk_iso(updated_at) AS updated_at

-- name: board_by_id
SELECT id, workspace_id, enc_name, enc_board_key,
       msk_iso(created_at) AS created_at, msk_iso(updated_at) AS updated_at
FROM boards WHERE id = $1

-- name: boards_of_workspace
SELECT id, workspace_id, enc_name, enc_board_key,
       msk_iso(created_at) AS created_at, msk_iso(updated_at) AS updated_at
FROM boards WHERE workspace_id = $1
ORDER BY created_at, id

-- name: board_rename
UPDATE boards SET enc_name = $2, updated_at = now() WHERE id = $1
RETURNING id, workspace_id, enc_name, enc_board_key,
          msk_iso(created_at) AS created_at, msk_iso(updated_at) AS updated_at

-- name: board_delete
DELETE FROM boards WHERE id = $1

-- name: board_lock
SELECT id FROM boards WHERE id = $1 FOR NO KEY UPDATE

-- Conditional reads: the version of a board's lists (its cards and columns) and of a
-- workspace's board list, for a member only (no row = missing or not a member, so a
-- non-member gets 404 before any 304). Bumped by the triggers of sql/003_integrity.sql.
-- name: board_version
SELECT b.version
FROM boards b
JOIN workspace_members m ON m.workspace_id = b.workspace_id AND m.user_id = $2
WHERE b.id = $1

-- The same with the session ($1 token hash, $2 idle limit; no row = 401) for board $3:
-- one round trip answers a conditional card list (Access::session_in_query). The
-- version is NULL for a missing board or a non-member. Kept apart from the list itself:
-- a plan that also held the list's nodes costs their executor set-up on every 304.
-- name: board_version_by_session
SELECT s.*, v.version
FROM msk_session($1, $2) s
LEFT JOIN LATERAL (SELECT b.version FROM boards b
                   JOIN workspace_members m ON m.workspace_id = b.workspace_id AND m.user_id = s.session_user_id
                   WHERE b.id = $3) v ON true

-- name: workspace_version
SELECT w.version
FROM workspaces w
JOIN workspace_members m ON m.workspace_id = w.id AND m.user_id = $2
WHERE w.id = $1
