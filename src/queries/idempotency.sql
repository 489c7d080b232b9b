-- Idempotency keys: claim, read, store and release.

-- name: idem_claim
INSERT INTO idempotency_keys (user_id, key, request_hash, lease_until)
VALUES ($1, $2, $3, now() + make_interval(secs => $4))
ON CONFLICT (user_id, key) DO UPDATE
    SET request_hash = EXCLUDED.request_hash, status = NULL, response_body = NULL,
        lease_until = EXCLUDED.lease_until, created_at = now()
    WHERE idempotency_keys.created_at < now() - make_interval(secs => $5)
       OR (idempotency_keys.status IS NULL AND idempotency_keys.lease_until < now()
           AND idempotency_keys.request_hash = EXCLUDED.request_hash)
RETURNING key

-- name: idem_get
SELECT request_hash, status, response_body FROM idempotency_keys
WHERE user_id = $1 AND key = $2

-- name: idem_store
UPDATE idempotency_keys SET status = $3, response_body = $4 WHERE user_id = $1 AND key = $2

-- name: idem_release
DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2
