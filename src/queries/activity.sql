-- Activity feed rows (metadata only).

-- The activity row and, in the same statement (so the same transaction), one webhook
-- delivery per enabled webhook of its board that takes this verb (the transactional
-- outbox, sql/012_webhooks_jobs.sql), written by msk_activity_insert()
-- (sql/019_hot_path_moves.sql), which the one-statement move calls too.
-- name: activity_insert
SELECT msk_iso(msk_activity_insert($1, $2, $3, $4, $5, $6, $7, $8::jsonb)) AS created_at

-- A page of a board's feed, newest first: the first page, then the page before cursor
-- $2. Two statements, not one with `($2 = 0 OR seq < $2)`: a prepared statement soon
-- gets a generic plan, and for that OR the generic plan cannot use the cursor as an
-- index bound on activity_board (board_id, seq DESC), so every page read the board's
-- feed newer than the cursor (72.7 ms against 0.10 ms for a page deep in a feed of 128k
-- rows; bench/RESULTS.md).
-- name: activity_page_first
SELECT seq, id, actor_id, verb, target_type, target_id, metadata::text AS metadata,
       msk_iso(created_at) AS created_at
FROM activity
WHERE board_id = $1
ORDER BY seq DESC
LIMIT $2

-- name: activity_page_before
SELECT seq, id, actor_id, verb, target_type, target_id, metadata::text AS metadata,
       msk_iso(created_at) AS created_at
FROM activity
WHERE board_id = $1 AND seq < $2
ORDER BY seq DESC
LIMIT $3
