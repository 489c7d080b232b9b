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
