-- Columns.

-- name: columns_of_board
SELECT id, board_id, enc_name, position, wip_limit, is_done,
       msk_iso(created_at) AS created_at, msk_iso(updated_at) AS updated_at
FROM columns WHERE board_id = $1
ORDER BY position

-- name: column_positions
SELECT id, position FROM columns WHERE board_id = $1 AND id <> $2 ORDER BY position

-- Rebalancing: $1 and $2 are comma-separated ids and keys, paired in order.
-- name: column_set_positions
UPDATE columns SET position = v.position
FROM unnest(string_to_array($1, ','), string_to_array($2, ',')) AS v(id, position)
WHERE columns.id = v.id

-- name: column_board
SELECT board_id FROM columns WHERE id = $1

-- name: column_insert
INSERT INTO columns (id, board_id, enc_name, position, wip_limit, is_done)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (id) DO NOTHING
RETURNING id, board_id, enc_name, position, wip_limit, is_done,
          msk_iso(created_at) AS created_at, msk_iso(updated_at) AS updated_at

-- name: column_update
UPDATE columns SET
    enc_name = COALESCE($2, enc_name),
    wip_limit = CASE WHEN $3 THEN $4::integer ELSE wip_limit END,
    is_done = COALESCE($5, is_done),
    position = COALESCE($6, position),
    updated_at = now()
WHERE id = $1
RETURNING id, board_id, enc_name, position, wip_limit, is_done,
          msk_iso(created_at) AS created_at, msk_iso(updated_at) AS updated_at

-- name: column_delete
DELETE FROM columns WHERE id = $1
