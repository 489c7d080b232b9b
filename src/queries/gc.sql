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
