-- Labels and their attachment to cards (sql/006_labels.sql).

-- name: labels_of_board
SELECT id, board_id, enc_name, colour, created_by, msk_iso(created_at) AS created_at,
       msk_iso(updated_at) AS updated_at
FROM labels WHERE board_id = $1
ORDER BY created_at, id

-- name: label_insert
INSERT INTO labels (id, board_id, enc_name, colour, created_by)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (id) DO NOTHING
RETURNING id, board_id, enc_name, colour, created_by, msk_iso(created_at) AS created_at,
          msk_iso(updated_at) AS updated_at

-- name: label_update
UPDATE labels SET enc_name = COALESCE($2, enc_name), colour = COALESCE($3, colour), updated_at = now()
WHERE id = $1
RETURNING id, board_id, enc_name, colour, created_by, msk_iso(created_at) AS created_at,
          msk_iso(updated_at) AS updated_at

-- name: label_delete
DELETE FROM labels WHERE id = $1 RETURNING id

-- Card links (src/card_links.cpp): $1 the other object's id, $2 the card's board.
-- name: label_of_board
SELECT 1 FROM labels WHERE id = $1 AND board_id = $2

-- $1 board, $2 card, $3 label. No row: it was attached already.
-- name: card_label_insert
INSERT INTO card_labels (board_id, card_id, label_id) VALUES ($1, $2, $3)
ON CONFLICT DO NOTHING
RETURNING card_id

-- name: card_label_delete
DELETE FROM card_labels WHERE board_id = $1 AND card_id = $2 AND label_id = $3 RETURNING card_id
