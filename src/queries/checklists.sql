-- Checklists and their items (sql/008_comments_checklists.sql).

-- name: checklist_card
SELECT card_id, NULL::text AS author_id FROM checklists WHERE id = $1

-- name: checklist_by_id
SELECT id, card_id, enc_title, position, created_by, msk_iso(created_at) AS created_at,
       msk_iso(updated_at) AS updated_at
FROM checklists WHERE id = $1

-- name: checklists_of_card
SELECT id, card_id, enc_title, position, created_by, msk_iso(created_at) AS created_at,
       msk_iso(updated_at) AS updated_at
FROM checklists WHERE card_id = $1 ORDER BY position

-- name: checklist_positions
SELECT id, position FROM checklists WHERE card_id = $1 AND id <> $2 ORDER BY position

-- Rebalancing: $1 and $2 are comma-separated ids and keys, paired in order.
-- name: checklist_set_positions
UPDATE checklists SET position = v.position
FROM unnest(string_to_array($1, ','), string_to_array($2, ',')) AS v(id, position)
WHERE checklists.id = v.id

-- The board comes from the card. No row: the id is taken.
-- name: checklist_insert
INSERT INTO checklists (id, board_id, card_id, enc_title, position, created_by)
SELECT $1, k.board_id, k.id, $3, $4, $5 FROM cards k WHERE k.id = $2
ON CONFLICT (id) DO NOTHING
RETURNING id

-- name: checklist_update
UPDATE checklists SET enc_title = COALESCE($2, enc_title), position = COALESCE($3, position), updated_at = now()
WHERE id = $1 RETURNING id

-- name: checklist_delete
DELETE FROM checklists WHERE id = $1 RETURNING id

-- Items. Every query that returns items returns the same columns, read by item_from().
-- name: checklist_item_card
SELECT card_id, NULL::text AS author_id FROM checklist_items WHERE id = $1

-- name: checklist_item_for_update
SELECT checklist_id FROM checklist_items WHERE id = $1 FOR UPDATE

-- name: checklist_item_by_id
SELECT id, checklist_id, card_id, enc_text, done, position, created_by, msk_iso(created_at) AS created_at,
       msk_iso(updated_at) AS updated_at
FROM checklist_items WHERE id = $1

-- name: checklist_items_of_card
SELECT i.id, i.checklist_id, i.card_id, i.enc_text, i.done, i.position, i.created_by,
       msk_iso(i.created_at) AS created_at, msk_iso(i.updated_at) AS updated_at
FROM checklist_items i WHERE i.card_id = $1 ORDER BY i.checklist_id, i.position

-- name: checklist_items_of_list
SELECT id, checklist_id, card_id, enc_text, done, position, created_by, msk_iso(created_at) AS created_at,
       msk_iso(updated_at) AS updated_at
FROM checklist_items WHERE checklist_id = $1 ORDER BY position

-- name: checklist_item_positions
SELECT id, position FROM checklist_items WHERE checklist_id = $1 AND id <> $2 ORDER BY position

-- name: checklist_item_set_positions
UPDATE checklist_items SET position = v.position
FROM unnest(string_to_array($1, ','), string_to_array($2, ',')) AS v(id, position)
WHERE checklist_items.id = v.id

-- $1 checklist of card $2? (an item moves only between the checklists of its card)
-- name: checklist_of_card
SELECT 1 FROM checklists WHERE id = $1 AND card_id = $2

-- name: checklist_item_insert
INSERT INTO checklist_items (id, board_id, card_id, checklist_id, enc_text, done, position, created_by)
SELECT $1, l.board_id, l.card_id, l.id, $3, $4, $5, $6 FROM checklists l WHERE l.id = $2
ON CONFLICT (id) DO NOTHING
RETURNING id

-- name: checklist_item_update
UPDATE checklist_items SET enc_text = COALESCE($2, enc_text), done = COALESCE($3, done),
       checklist_id = COALESCE($4, checklist_id), position = COALESCE($5, position), updated_at = now()
WHERE id = $1 RETURNING id

-- name: checklist_item_delete
DELETE FROM checklist_items WHERE id = $1 RETURNING id
