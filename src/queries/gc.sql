-- Housekeeping run by `mskanbanctl gc`: rows that can never be used again.

-- name: gc_sessions
-- Sessions past their absolute lifetime, idle past the idle timeout, or revoked, once a
-- day has passed (so that a user's session list still shows what just ended).
DELETE FROM sessions
WHERE expires_at < now() - interval '1 day'
   OR revoked_at < now() - interval '1 day'
   OR last_seen_at < now() - make_interval(secs => $1) - interval '1 day'

-- name: gc_idempotency_keys
-- Stored responses older than the replay window.
DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(secs => $1)


-- name: gc_try_lock
-- Only one worker at a time runs the opportunistic clean-up (src/housekeeping.cpp).
SELECT pg_try_advisory_xact_lock(7164535897153) AS locked

-- name: gc_sessions_batch
-- gc_sessions in batches of at most $2 rows, for the workers' opportunistic clean-up.
DELETE FROM sessions
WHERE id = ANY (ARRAY(SELECT id FROM sessions
                      WHERE expires_at < now() - interval '1 day'
                         OR revoked_at < now() - interval '1 day'
                         OR last_seen_at < now() - make_interval(secs => $1) - interval '1 day'
                      LIMIT $2))
