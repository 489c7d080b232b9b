-- Automation claims (sql/014_automation_claims.sql): one claim per automation and
-- triggering event.

-- name: automation_claim_target
SELECT board_id, trigger, enabled FROM automations WHERE id = $1

-- name: automation_claim_event
-- The event may be claimed for the automation: an activity row of the automation's board
-- ($2) whose verb is the trigger's ($3, upper-cased), younger than the claim window ($4 s).
SELECT 1 AS ok FROM activity
WHERE id = $1 AND board_id = $2 AND verb = upper($3)
  AND created_at > now() - make_interval(secs => $4)

-- name: automation_claim_insert
-- No row back: claimed already (a concurrent claim waits for the first to commit).
INSERT INTO automation_claims (automation_id, event_id, claimed_by)
VALUES ($1, $2, $3)
ON CONFLICT (automation_id, event_id) DO NOTHING
RETURNING automation_id, event_id, claimed_by, msk_iso(created_at) AS claimed_at

-- name: gc_automation_claims
-- At most $2 claims older than $1 s (their events can no longer be claimed).
DELETE FROM automation_claims
WHERE ctid = ANY (ARRAY(SELECT ctid FROM automation_claims
                        WHERE created_at < now() - make_interval(secs => $1) LIMIT $2))
