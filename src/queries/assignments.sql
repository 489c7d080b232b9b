-- Card assignments (sql/007_assignments.sql), through src/card_links.cpp.

-- $1 user, $2 the card's board: a row when the user is a member of its workspace.
-- name: member_of_board
SELECT 1 FROM workspace_members m JOIN boards b ON b.workspace_id = m.workspace_id
WHERE m.user_id = $1 AND b.id = $2

-- $1 board, $2 card, $3 user. No row: assigned already.
-- name: card_assignee_insert
INSERT INTO card_assignees (workspace_id, board_id, card_id, user_id)
SELECT workspace_id, $1, $2, $3 FROM boards WHERE id = $1
ON CONFLICT DO NOTHING
RETURNING card_id

-- name: card_assignee_delete
DELETE FROM card_assignees WHERE board_id = $1 AND card_id = $2 AND user_id = $3 RETURNING card_id
