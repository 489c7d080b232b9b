-- Cards. Every query that returns cards returns the same columns, read by card_from().

-- The card list as the response body, `{"cards":[...]}`, built by PostgreSQL in one
-- pass: the same fields as card_json() in fcgi/handlers/kanban_io.cpp, so the worker
-- copies one string instead of building a row, a Card and a JSON object per card.
-- name: cards_of_board_json
SELECT '{"cards":[' || coalesce(string_agg(row_to_json(j)::text, ',' ORDER BY c.position, k.position), '') || ']}'
       AS body
FROM cards k JOIN columns c ON c.id = k.column_id
-- Checklist progress of every card of the board, counted in one pass (sql/008).
LEFT JOIN (SELECT card_id, count(*) FILTER (WHERE done) AS done, count(*) AS total
           FROM checklist_items WHERE board_id = $1 GROUP BY card_id) cl ON cl.card_id = k.id
-- Custom field values of every card of the board, gathered in one pass (sql/010).
LEFT JOIN (SELECT card_id, json_object_agg(field_id, enc_value ORDER BY field_id) AS vals
           FROM card_field_values WHERE board_id = $1 GROUP BY card_id) cf ON cf.card_id = k.id
CROSS JOIN LATERAL (
    SELECT k.id, k.board_id AS "boardId", k.column_id AS "columnId", k.enc_title AS "encTitle",
           k.enc_description AS "encDescription", k.position, msk_iso(k.due_at) AS "dueAt",
           msk_iso(k.start_at) AS "startAt", k.archived, k.milestone_id AS "milestoneId",
           json_build_object('done', coalesce(cl.done, 0), 'total', coalesce(cl.total, 0)) AS checklist,
           -- ARRAY(...) here, not msk_card_label_ids(): a function with a subquery is
           -- never inlined, and calling it per card cost more than the rest of the row.
           ARRAY(SELECT label_id FROM card_labels WHERE card_id = k.id ORDER BY label_id) AS "labelIds",
           ARRAY(SELECT user_id FROM card_assignees WHERE card_id = k.id ORDER BY user_id) AS "assigneeIds",
           coalesce(cf.vals, '{}'::json) AS "customFields",
           k.created_by AS "createdBy", msk_iso(k.created_at) AS "createdAt",
           msk_iso(k.updated_at) AS "updatedAt") AS j
WHERE k.board_id = $1
  AND ($2 = 'include' OR k.archived = ($2 = 'only'))

-- name: card_by_id
SELECT id, board_id, column_id, enc_title, enc_description, position,
       msk_iso(due_at) AS due_at, msk_iso(start_at) AS start_at, archived, milestone_id,
          array_to_string(msk_card_label_ids(id), ',') AS label_ids,
          array_to_string(msk_card_assignee_ids(id), ',') AS assignee_ids,
       msk_card_checklist(id) AS checklist, msk_card_custom_fields(id) AS custom_fields,
          created_by, msk_iso(created_at) AS created_at, msk_iso(updated_at) AS updated_at
FROM cards WHERE id = $1

-- name: card_positions
SELECT id, position, archived FROM cards WHERE column_id = $1 AND id <> $2 ORDER BY position

-- name: card_last_position
SELECT position FROM cards WHERE column_id = $1 ORDER BY position DESC LIMIT 1

-- Rebalancing: new positions for many cards in one statement. $1 and $2 are
-- comma-separated ids and keys (neither contains a comma), paired in order.
-- name: card_set_positions
UPDATE cards SET position = v.position
FROM unnest(string_to_array($1, ','), string_to_array($2, ',')) AS v(id, position)
WHERE cards.id = v.id

-- Moving a column's cards to column $1 of the same board: ids and new keys as above.
-- name: cards_set_column_positions
UPDATE cards SET column_id = $1, position = v.position, updated_at = now()
FROM unnest(string_to_array($2, ','), string_to_array($3, ',')) AS v(id, position)
WHERE cards.id = v.id

-- A move's locks and reads in one round trip: the board (no-key update), then the card
-- (update), in that order (the card's subquery needs the board's row first), and the
-- board of the target column $3 (NULL when there is none). Locked rows are read at their
-- latest version, so the card's column is current after waiting for the lock; anything
-- else that changes under the board lock is read by later statements.
-- name: card_move_lock
SELECT k.column_id, k.archived, (SELECT c.board_id FROM columns c WHERE c.id = $3) AS target_board_id
FROM (SELECT id FROM boards WHERE id = $1 FOR NO KEY UPDATE) b
CROSS JOIN LATERAL (SELECT column_id, archived FROM cards WHERE id = $2 AND board_id = b.id FOR UPDATE) k

-- A move to the end of a column and its activity row in one statement
-- (sql/019_hot_path_moves.sql): $1 user, $2 card, $3 target column, $4 the event's id.
-- name: card_move_end
SELECT * FROM msk_card_move_end($1, $2, $3, $4)

-- name: card_archived_for_update
SELECT column_id, archived FROM cards WHERE id = $1 FOR UPDATE

-- name: card_insert
INSERT INTO cards (id, board_id, column_id, enc_title, enc_description, position, due_at, start_at, created_by)
VALUES ($1, $2, $3, $4, $5, $6, $7::timestamptz, $8::timestamptz, $9)
ON CONFLICT (id) DO NOTHING
RETURNING id, board_id, column_id, enc_title, enc_description, position,
          msk_iso(due_at) AS due_at, msk_iso(start_at) AS start_at, archived, milestone_id,
          array_to_string(msk_card_label_ids(id), ',') AS label_ids,
          array_to_string(msk_card_assignee_ids(id), ',') AS assignee_ids,
          msk_card_checklist(id) AS checklist, msk_card_custom_fields(id) AS custom_fields,
          created_by, msk_iso(created_at) AS created_at, msk_iso(updated_at) AS updated_at

-- name: card_update
UPDATE cards SET
    enc_title = COALESCE($2, enc_title),
    enc_description = CASE WHEN $3 THEN $4 ELSE enc_description END,
    due_at = CASE WHEN $5 THEN $6::timestamptz ELSE due_at END,
    start_at = CASE WHEN $7 THEN $8::timestamptz ELSE start_at END,
    archived = COALESCE($9, archived),
    archived_at = CASE WHEN $9 IS NULL OR $9 = archived THEN archived_at
                       WHEN $9 THEN now() ELSE NULL END,
    updated_at = now()
WHERE id = $1
RETURNING id, board_id, column_id, enc_title, enc_description, position,
          msk_iso(due_at) AS due_at, msk_iso(start_at) AS start_at, archived, milestone_id,
          array_to_string(msk_card_label_ids(id), ',') AS label_ids,
          array_to_string(msk_card_assignee_ids(id), ',') AS assignee_ids,
          msk_card_checklist(id) AS checklist, msk_card_custom_fields(id) AS custom_fields,
          created_by, msk_iso(created_at) AS created_at, msk_iso(updated_at) AS updated_at

-- name: card_move
UPDATE cards SET column_id = $2, position = $3, updated_at = now() WHERE id = $1
RETURNING id, board_id, column_id, enc_title, enc_description, position,
          msk_iso(due_at) AS due_at, msk_iso(start_at) AS start_at, archived, milestone_id,
          array_to_string(msk_card_label_ids(id), ',') AS label_ids,
          array_to_string(msk_card_assignee_ids(id), ',') AS assignee_ids,
          msk_card_checklist(id) AS checklist, msk_card_custom_fields(id) AS custom_fields,
          created_by, msk_iso(created_at) AS created_at, msk_iso(updated_at) AS updated_at

-- name: card_delete
DELETE FROM cards WHERE id = $1 RETURNING id
