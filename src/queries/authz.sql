-- Authorization: resolve an object to its workspace and the caller's membership.
-- Parameters: $1 the object id, $2 the user id. No row = missing or not a member.

-- name: authz_workspace
SELECT m.workspace_id, '' AS board_id, '' AS column_id, m.role
FROM workspace_members m
WHERE m.workspace_id = $1 AND m.user_id = $2

-- name: authz_board
SELECT b.workspace_id, b.id AS board_id, '' AS column_id, m.role
FROM boards b
JOIN workspace_members m ON m.workspace_id = b.workspace_id AND m.user_id = $2
WHERE b.id = $1

-- name: authz_column
SELECT b.workspace_id, b.id AS board_id, c.id AS column_id, m.role
FROM columns c
JOIN boards b ON b.id = c.board_id
JOIN workspace_members m ON m.workspace_id = b.workspace_id AND m.user_id = $2
WHERE c.id = $1

-- name: authz_card
SELECT b.workspace_id, b.id AS board_id, k.column_id, m.role
FROM cards k
JOIN boards b ON b.id = k.board_id
JOIN workspace_members m ON m.workspace_id = b.workspace_id AND m.user_id = $2
WHERE k.id = $1

-- name: authz_label
SELECT b.workspace_id, b.id AS board_id, '' AS column_id, m.role
FROM labels l
JOIN boards b ON b.id = l.board_id
JOIN workspace_members m ON m.workspace_id = b.workspace_id AND m.user_id = $2
WHERE l.id = $1

-- The same checks for a write. They lock the workspace row (key-share) and then the
-- caller's membership row (key-share), in that order, until commit: a member removed,
-- or a workspace deleted, while the write runs waits for it (or the write sees no row
-- and answers 404); it cannot commit a write by someone who is no longer a member.
-- Lock order everywhere: workspace, membership, board, column, card.

-- name: authz_workspace_write
SELECT m.workspace_id, '' AS board_id, '' AS column_id, m.role
FROM workspaces w
JOIN workspace_members m ON m.workspace_id = w.id AND m.user_id = $2
WHERE w.id = $1
FOR KEY SHARE OF w, m

-- name: authz_board_write
SELECT b.workspace_id, b.id AS board_id, '' AS column_id, m.role
FROM boards b
JOIN workspaces w ON w.id = b.workspace_id
JOIN workspace_members m ON m.workspace_id = b.workspace_id AND m.user_id = $2
WHERE b.id = $1
FOR KEY SHARE OF w, m

-- name: authz_column_write
SELECT b.workspace_id, b.id AS board_id, c.id AS column_id, m.role
FROM columns c
JOIN boards b ON b.id = c.board_id
JOIN workspaces w ON w.id = b.workspace_id
JOIN workspace_members m ON m.workspace_id = b.workspace_id AND m.user_id = $2
WHERE c.id = $1
FOR KEY SHARE OF w, m

-- name: authz_card_write
SELECT b.workspace_id, b.id AS board_id, k.column_id, m.role
FROM cards k
JOIN boards b ON b.id = k.board_id
JOIN workspaces w ON w.id = b.workspace_id
JOIN workspace_members m ON m.workspace_id = b.workspace_id AND m.user_id = $2
WHERE k.id = $1
FOR KEY SHARE OF w, m

-- name: authz_label_write
SELECT b.workspace_id, b.id AS board_id, '' AS column_id, m.role
FROM labels l
JOIN boards b ON b.id = l.board_id
JOIN workspaces w ON w.id = b.workspace_id
JOIN workspace_members m ON m.workspace_id = b.workspace_id AND m.user_id = $2
WHERE l.id = $1
FOR KEY SHARE OF w, m

-- Managing a workspace (rename, delete, members) locks its row for update: such changes
-- wait for the writes in flight and run one at a time per workspace; a delete then
-- never meets a writer holding a membership row it must remove.
-- name: authz_workspace_manage
SELECT m.workspace_id, '' AS board_id, '' AS column_id, m.role
FROM workspaces w
JOIN workspace_members m ON m.workspace_id = w.id AND m.user_id = $2
WHERE w.id = $1
FOR UPDATE OF w FOR KEY SHARE OF m

-- name: authz_milestone
SELECT b.workspace_id, b.id AS board_id, '' AS column_id, m.role
FROM milestones s
JOIN boards b ON b.id = s.board_id
JOIN workspace_members m ON m.workspace_id = b.workspace_id AND m.user_id = $2
WHERE s.id = $1

-- name: authz_milestone_write
SELECT b.workspace_id, b.id AS board_id, '' AS column_id, m.role
FROM milestones s
JOIN boards b ON b.id = s.board_id
JOIN workspaces w ON w.id = b.workspace_id
JOIN workspace_members m ON m.workspace_id = b.workspace_id AND m.user_id = $2
WHERE s.id = $1
FOR KEY SHARE OF w, m
