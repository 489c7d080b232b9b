-- Sessions: hashed tokens with idle and absolute expiry.

-- name: session_insert
INSERT INTO sessions (id, user_id, token_hash, expires_at, ip_hash, user_agent)
VALUES ($1, $2, $3, now() + make_interval(secs => $4), $5, $6)
RETURNING id, msk_iso(created_at) AS created_at, msk_iso(expires_at) AS expires_at

-- The session ($1 token hash, $2 idle limit; no row = 401) and how many milliseconds it
-- has left before its idle or absolute expiry (the session cache keeps it no longer).
-- name: session_by_token
SELECT s.*, (extract(epoch FROM least(x.expires_at, x.last_seen_at + make_interval(secs => $2)) - now())
             * 1000)::bigint AS session_left_ms
FROM msk_session($1, $2) s JOIN sessions x ON x.id = s.session_id

-- name: session_end
-- When a live session ends unless it is used again: its idle or absolute expiry, unix seconds.
SELECT extract(epoch FROM least(expires_at, last_seen_at + make_interval(secs => $3)))::bigint AS ends
FROM sessions
WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL AND expires_at > now()
  AND last_seen_at > now() - make_interval(secs => $3)

-- name: session_touch
UPDATE sessions SET last_seen_at = now() WHERE id = $1

-- name: sessions_of_user
SELECT id, msk_iso(created_at) AS created_at, msk_iso(last_seen_at) AS last_seen_at,
       msk_iso(expires_at) AS expires_at, user_agent
FROM sessions
WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now()
  AND last_seen_at > now() - make_interval(secs => $2)
ORDER BY created_at DESC

-- name: session_revoke
UPDATE sessions SET revoked_at = now()
WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL
RETURNING id

-- Every live session of a user ends (account recovery, account deletion); the ids, so
-- each revocation can be published.
-- name: sessions_revoke_all
UPDATE sessions SET revoked_at = now()
WHERE user_id = $1 AND revoked_at IS NULL
RETURNING id
