-- 001: accounts and sessions.
-- The server stores only what it needs to authenticate: a second Argon2id hash of the
-- client's authHash, the client's KDF salts and parameters, and the wrapped keys (all
-- ciphertext). Session tokens are stored as SHA-256 hashes; IPs as keyed hashes.

-- Timestamps on the wire: ISO 8601 UTC with milliseconds.
CREATE FUNCTION msk_iso(t timestamptz) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT
    AS $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') $$;

CREATE TABLE users (
    id                text PRIMARY KEY,
    email             text NOT NULL,
    auth_hash         text NOT NULL,            -- Argon2id PHC string of authHash
    kdf_memory_kib    integer NOT NULL,
    kdf_iterations    integer NOT NULL,
    kdf_parallelism   integer NOT NULL,
    kdf_salt          text NOT NULL,
    auth_salt         text NOT NULL,
    public_key        text NOT NULL,
    enc_private_key   text NOT NULL,
    enc_symmetric_key text NOT NULL,
    enc_recovery_blob text NOT NULL,
    totp_secret       text,                     -- sealed under the at-rest key
    totp_pending      text,                     -- sealed; set by enroll, moved by verify
    totp_last_step    bigint NOT NULL DEFAULT 0, -- last accepted RFC 6238 time step
    created_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_email_lower CHECK (email = lower(email))
);
CREATE UNIQUE INDEX users_email_key ON users (email);

CREATE TABLE sessions (
    id           text PRIMARY KEY,
    user_id      text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash   text NOT NULL UNIQUE,          -- hex SHA-256 of the cookie token
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,          -- absolute expiry
    revoked_at   timestamptz,
    ip_hash      text,
    user_agent   text
);
CREATE INDEX sessions_user ON sessions (user_id) WHERE revoked_at IS NULL;
