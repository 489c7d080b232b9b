-- Custom fields and their values on cards (sql/010_templates_custom_fields.sql).
-- Every query that returns fields returns the same columns, read by field_from().

-- Authorization (src/authz.cpp, authorize_board_object): as authz_label.
-- name: authz_custom_field
SELECT b.workspace_id, b.id AS board_id, '' AS column_id, m.role
FROM custom_fields f
JOIN boards b ON b.id = f.board_id
JOIN workspace_members m ON m.workspace_id = b.workspace_id AND m.user_id = $2
WHERE f.id = $1

-- name: authz_custom_field_write
SELECT b.workspace_id, b.id AS board_id, '' AS column_id, m.role
FROM custom_fields f
JOIN boards b ON b.id = f.board_id
JOIN workspaces w ON w.id = b.workspace_id
JOIN workspace_members m ON m.workspace_id = b.workspace_id AND m.user_id = $2
WHERE f.id = $1
FOR KEY SHARE OF w, m

-- name: custom_fields_of_board
SELECT id, board_id, type, enc_name, enc_options, position, created_by, msk_iso(created_at) AS created_at,
       msk_iso(updated_at) AS updated_at
FROM custom_fields WHERE board_id = $1 ORDER BY position

-- name: custom_field_by_id
SELECT id, board_id, type, enc_name, enc_options, position, created_by, msk_iso(created_at) AS created_at,
       msk_iso(updated_at) AS updated_at
FROM custom_fields WHERE id = $1

-- name: custom_field_count
SELECT count(*) AS n FROM custom_fields WHERE board_id = $1

-- name: custom_field_positions
SELECT id, position FROM custom_fields WHERE board_id = $1 AND id <> $2 ORDER BY position

-- Rebalancing: $1 and $2 are comma-separated ids and keys, paired in order.
-- name: custom_field_set_positions
UPDATE custom_fields SET position = v.position
FROM unnest(string_to_array($1, ','), string_to_array($2, ',')) AS v(id, position)
WHERE custom_fields.id = v.id

-- No row: the id is taken.
-- name: custom_field_insert
INSERT INTO custom_fields (id, board_id, type, enc_name, enc_options, position, created_by)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (id) DO NOTHING
RETURNING id

-- name: custom_field_update
UPDATE custom_fields SET enc_name = COALESCE($2, enc_name), enc_options = COALESCE($3, enc_options),
       position = COALESCE($4, position), updated_at = now()
WHERE id = $1 RETURNING id

-- Deletes the field; its values go with it (foreign key).
-- name: custom_field_delete
DELETE FROM custom_fields WHERE id = $1 RETURNING id

-- Values. $1 field, $2 the card's board: a row when the field may hold the card's value.
-- name: custom_field_of_board
SELECT 1 FROM custom_fields WHERE id = $1 AND board_id = $2

-- $1 board, $2 card, $3 field, $4 envelope, $5 user.
-- name: card_field_value_set
INSERT INTO card_field_values (board_id, card_id, field_id, enc_value, updated_by)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (card_id, field_id) DO UPDATE
SET enc_value = EXCLUDED.enc_value, updated_by = EXCLUDED.updated_by, updated_at = now()

-- name: card_field_value_delete
DELETE FROM card_field_values WHERE card_id = $1 AND field_id = $2
