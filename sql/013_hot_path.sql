-- The hot path (issue 16). msk_iso() formats every timestamp of every answer (five per
-- card in the card list). Declared IMMUTABLE around to_char(), which is only STABLE (it
-- reads lc_time), it could not be inlined: the planner inlines a SQL function only when
-- its body is no more volatile than the function claims, so every call went through the
-- SQL-function executor. STABLE is what it is; inlined, it costs what to_char() costs.
-- (No index or constraint uses it, which would need IMMUTABLE.)
CREATE OR REPLACE FUNCTION msk_iso(t timestamptz) RETURNS text
    LANGUAGE sql STABLE STRICT
    AS $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') $$;

-- The live session with token hash `hash` (unused for `idle_s` seconds at most), with
-- its user's email and how long it has been idle: no row for an unknown, expired or
-- revoked token. One definition for session_by_token and for the statements that check
-- the session and read the handler's data in one round trip (Access::session_in_query,
-- docs/internals.md). A one-SELECT SQL function in FROM is inlined by the planner.
CREATE FUNCTION msk_session(hash text, idle_s integer)
    RETURNS TABLE (session_id text, session_user_id text, session_email text, session_idle_s bigint)
    LANGUAGE sql STABLE
    AS $$ SELECT s.id, s.user_id, u.email, extract(epoch FROM now() - s.last_seen_at)::bigint
          FROM sessions s JOIN users u ON u.id = s.user_id
          WHERE s.token_hash = hash AND s.revoked_at IS NULL AND s.expires_at > now()
            AND s.last_seen_at > now() - make_interval(secs => idle_s) $$;
