-- Webhooks, their deliveries and attempts (sql/012_webhooks_jobs.sql). Events travel as
-- one comma-joined text parameter (verbs hold no comma); '' is "every verb".

-- name: webhooks_of_board
SELECT id, board_id, url, array_to_string(events, ',') AS events, enabled,
       msk_iso(created_at) AS created_at, msk_iso(updated_at) AS updated_at
FROM webhooks WHERE board_id = $1
ORDER BY created_at, id

-- name: webhook_insert
INSERT INTO webhooks (id, board_id, url, events, enabled, secret_sealed, created_by)
VALUES ($1, $2, $3, COALESCE(string_to_array(NULLIF($4, ''), ','), '{}'), $5, $6, $7)
RETURNING id, board_id, url, array_to_string(events, ',') AS events, enabled,
          msk_iso(created_at) AS created_at, msk_iso(updated_at) AS updated_at

-- name: webhook_board
SELECT board_id FROM webhooks WHERE id = $1

-- $2 url, $3 events (NULL: unchanged), $4 enabled, $5 a new sealed secret; NULL keeps.
-- name: webhook_update
UPDATE webhooks
SET url = COALESCE($2, url),
    events = CASE WHEN $3::text IS NULL THEN events
                  ELSE COALESCE(string_to_array(NULLIF($3, ''), ','), '{}') END,
    enabled = COALESCE($4, enabled),
    secret_sealed = COALESCE($5, secret_sealed),
    updated_at = now()
WHERE id = $1
RETURNING id, board_id, url, array_to_string(events, ',') AS events, enabled,
          msk_iso(created_at) AS created_at, msk_iso(updated_at) AS updated_at

-- name: webhook_delete
DELETE FROM webhooks WHERE id = $1 RETURNING id

-- A page of a webhook's deliveries, newest first (ULIDs sort by time), each with its
-- attempts (the view is in sql/012); the first page, then the page below delivery id $2.
-- Two statements for the reason given in activity.sql: each keeps an index-bound plan.
-- name: webhook_deliveries_first
SELECT * FROM webhook_delivery_list WHERE webhook_id = $1 ORDER BY id DESC LIMIT $2

-- name: webhook_deliveries_before
SELECT * FROM webhook_delivery_list WHERE webhook_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3

-- name: delivery_board
SELECT w.board_id, d.state FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
WHERE d.id = $1

-- A dead or failed delivery starts a new round of attempts now; the NOTIFY wakes the runner.
-- name: delivery_requeue
WITH r AS (
    UPDATE webhook_deliveries
    SET state = 'pending', tries = 0, next_attempt_at = now(), completed_at = NULL
    WHERE id = $1 AND state IN ('dead', 'failed')
    RETURNING id
)
SELECT r.id, pg_notify('mskanban_deliveries', '') IS NOT NULL AS notified FROM r
