-- mskanban-jobs (jobs/): claiming and recording webhook deliveries, due-date events and
-- the periodic clean-up. See docs/internals.md, "Webhooks" and "The job runner".

-- Claims up to $1 due deliveries of enabled webhooks for $2 ms: the lease moves
-- next_attempt_at on, so another runner skips them (SKIP LOCKED while this statement
-- runs, the lease after it commits) and a runner killed mid-batch leaves them due again
-- when the lease ends (at least once).
-- name: jobs_claim_deliveries
WITH c AS (
    SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id AND w.enabled
    WHERE d.state = 'pending' AND d.next_attempt_at <= now()
    ORDER BY d.next_attempt_at
    LIMIT $1
    FOR UPDATE OF d SKIP LOCKED
)
UPDATE webhook_deliveries d
SET next_attempt_at = now() + make_interval(secs => $2::double precision / 1000)
FROM c, webhooks w
WHERE d.id = c.id AND w.id = d.webhook_id
RETURNING d.id, d.webhook_id, d.verb, d.payload, d.tries, d.attempts, w.url, w.secret_sealed

-- The outcome of attempt $2 of delivery $1: started at $3 (epoch ms), took $4 ms, HTTP
-- status $5 (NULL: none), error $6, answer $7; new state $8, next attempt in $9 ms when
-- pending. Dropped when the delivery is gone or another runner recorded this attempt.
-- name: jobs_record_attempt
WITH u AS (
    UPDATE webhook_deliveries
    SET state = $8, tries = tries + 1, attempts = $2,
        next_attempt_at = CASE WHEN $8 = 'pending'
                               THEN now() + make_interval(secs => $9::double precision / 1000)
                               ELSE next_attempt_at END,
        last_status = $5, last_error = $6,
        completed_at = CASE WHEN $8 = 'pending' THEN NULL ELSE now() END
    WHERE id = $1 AND attempts = $2 - 1
    RETURNING id
)
INSERT INTO webhook_attempts (delivery_id, n, started_at, duration_ms, status, error, response)
SELECT id, $2, to_timestamp($3::double precision / 1000), $4, $5, $6, $7 FROM u
ON CONFLICT DO NOTHING

-- How long until the next pending delivery is due (ms; NULL when none).
-- name: jobs_next_due
SELECT (extract(epoch FROM (min(d.next_attempt_at) - now())) * 1000)::bigint AS ms
FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id AND w.enabled
WHERE d.state = 'pending'

-- Cards whose due date has passed and has not been announced (sql/012).
-- name: jobs_due_cards
SELECT c.id, c.board_id, b.workspace_id
FROM cards c JOIN boards b ON b.id = c.board_id
WHERE c.due_at IS NOT NULL AND c.due_at <= now() AND c.due_reached_for IS DISTINCT FROM c.due_at
  AND NOT c.archived
ORDER BY c.due_at
LIMIT $1

-- Under the board's lock: marks card $1 as announced for its current due date, when it
-- still needs it. No row: changed or announced meanwhile.
-- name: jobs_mark_due_reached
UPDATE cards SET due_reached_for = due_at
WHERE id = $1 AND due_at IS NOT NULL AND due_at <= now() AND due_reached_for IS DISTINCT FROM due_at
  AND NOT archived
RETURNING msk_iso(due_at) AS due_at

-- Finished deliveries (and their attempts) older than $1 seconds.
-- name: jobs_gc_deliveries
DELETE FROM webhook_deliveries
WHERE state <> 'pending' AND completed_at < now() - make_interval(secs => $1)
