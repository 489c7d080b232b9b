-- Activity feed rows (metadata only).

-- The activity row and, in the same statement (so the same transaction), one webhook
-- delivery per enabled webhook of its board that takes this verb (the transactional
-- outbox, sql/012_webhooks_jobs.sql). The payload is the documented body {verb,
-- boardId, cardId, actorId, timestamp, metadata}; metadata is the event's plus its
-- targetType and targetId. A NOTIFY wakes mskanban-jobs when the transaction commits.
-- name: activity_insert
WITH a AS (
    INSERT INTO activity (id, workspace_id, board_id, actor_id, verb, target_type, target_id, metadata)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)
    RETURNING id, board_id, actor_id, verb, target_type, target_id, metadata, created_at
), d AS (
    INSERT INTO webhook_deliveries (id, webhook_id, activity_id, verb, payload)
    SELECT msk_ulid(), w.id, a.id, a.verb,
           jsonb_build_object('verb', a.verb, 'boardId', a.board_id,
                              'cardId', CASE WHEN a.target_type = 'card' THEN a.target_id
                                             ELSE a.metadata ->> 'cardId' END,
                              'actorId', a.actor_id, 'timestamp', msk_iso(a.created_at),
                              'metadata', a.metadata || jsonb_build_object('targetType', a.target_type,
                                                                           'targetId', a.target_id))::text
    FROM a JOIN webhooks w ON w.board_id = a.board_id AND w.enabled
                          AND (cardinality(w.events) = 0 OR a.verb = ANY (w.events))
    RETURNING 1
)
SELECT msk_iso(a.created_at) AS created_at,
       (SELECT count(*) FROM (SELECT pg_notify('mskanban_deliveries', '') FROM (SELECT 1 FROM d LIMIT 1) x) n)
           AS deliveries
FROM a

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
