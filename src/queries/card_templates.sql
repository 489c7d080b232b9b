-- Card templates (sql/010_templates_custom_fields.sql).

-- Authorization (src/authz.cpp, authorize_board_object): as authz_label.
-- name: authz_card_template
SELECT b.workspace_id, b.id AS board_id, '' AS column_id, m.role
FROM card_templates t
JOIN boards b ON b.id = t.board_id
JOIN workspace_members m ON m.workspace_id = b.workspace_id AND m.user_id = $2
WHERE t.id = $1

-- name: authz_card_template_write
SELECT b.workspace_id, b.id AS board_id, '' AS column_id, m.role
FROM card_templates t
JOIN boards b ON b.id = t.board_id
JOIN workspaces w ON w.id = b.workspace_id
JOIN workspace_members m ON m.workspace_id = b.workspace_id AND m.user_id = $2
WHERE t.id = $1
FOR KEY SHARE OF w, m

-- name: card_templates_of_board
SELECT id, board_id, enc_body, created_by, msk_iso(created_at) AS created_at, msk_iso(updated_at) AS updated_at
FROM card_templates WHERE board_id = $1
ORDER BY created_at, id

-- name: card_template_count
SELECT count(*) AS n FROM card_templates WHERE board_id = $1

-- No row: the id is taken.
-- name: card_template_insert
INSERT INTO card_templates (id, board_id, enc_body, created_by)
VALUES ($1, $2, $3, $4)
ON CONFLICT (id) DO NOTHING
RETURNING id, board_id, enc_body, created_by, msk_iso(created_at) AS created_at, msk_iso(updated_at) AS updated_at

-- name: card_template_delete
DELETE FROM card_templates WHERE id = $1 RETURNING id
