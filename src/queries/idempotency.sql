-- Idempotency keys: claimed, and answered, inside the request's own transaction.

-- name: idem_claim
-- A fresh claim, or the takeover of a record older than the replay window ($4 s). A
-- concurrent request holding the same key (uncommitted) makes this wait for its
-- outcome; no row comes back when a live record exists (read it with idem_get).
INSERT INTO idempotency_keys (user_id, key, request_hash)
VALUES ($1, $2, $3)
ON CONFLICT (user_id, key) DO UPDATE
    SET request_hash = EXCLUDED.request_hash, status = NULL, response_body = NULL,
        workspace_id = NULL, board_id = NULL, created_at = now()
    WHERE idempotency_keys.created_at < now() - make_interval(secs => $4)
RETURNING key

-- name: idem_get
SELECT request_hash, status, response_body FROM idempotency_keys
WHERE user_id = $1 AND key = $2

-- name: idem_store
-- The response, under the workspace and board the request changed (NULL when they do
-- not exist, e.g. after deleting them), so deleting those deletes the record.
UPDATE idempotency_keys
SET status = $3, response_body = $4,
    workspace_id = (SELECT id FROM workspaces WHERE id = $5),
    board_id = (SELECT id FROM boards WHERE id = $6)
WHERE user_id = $1 AND key = $2

-- name: idem_gc_batch
-- Opportunistic housekeeping by the workers: at most $2 records past the window ($1 s).
DELETE FROM idempotency_keys
WHERE ctid = ANY (ARRAY(SELECT ctid FROM idempotency_keys
                        WHERE created_at < now() - make_interval(secs => $1) LIMIT $2))
