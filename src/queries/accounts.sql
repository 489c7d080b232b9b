-- Accounts: users and their key material.

-- name: user_insert
INSERT INTO users (id, email, auth_hash, kdf_memory_kib, kdf_iterations, kdf_parallelism,
                   kdf_salt, auth_salt, public_key, enc_private_key, enc_symmetric_key,
                   enc_recovery_blob)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
ON CONFLICT (email) DO NOTHING
RETURNING id, email, msk_iso(created_at) AS created_at

-- name: user_by_email
SELECT id, email, auth_hash, kdf_memory_kib, kdf_iterations, kdf_parallelism, kdf_salt,
       auth_salt, public_key, enc_private_key, enc_symmetric_key, totp_secret,
       totp_last_step, msk_iso(created_at) AS created_at
FROM users WHERE email = $1

-- name: user_by_id
SELECT id, email, kdf_memory_kib, kdf_iterations, kdf_parallelism, kdf_salt, auth_salt,
       public_key, enc_private_key, enc_symmetric_key, enc_recovery_blob,
       totp_secret, totp_pending, totp_last_step, msk_iso(created_at) AS created_at
FROM users WHERE id = $1

-- GET /me in one round trip (Access::session_in_query): the session ($1 token hash, $2
-- idle limit; no row = 401) and the row of msk_me() (sql/020_me_row.sql).
-- name: me_by_session
SELECT s.*, me.* FROM msk_session($1, $2) s CROSS JOIN LATERAL msk_me(s.session_user_id) me

-- The same for a session already checked (the session cache): user $1, no session columns.
-- name: me_by_user
SELECT * FROM msk_me($1)

-- name: user_totp_for_update
SELECT totp_secret, totp_pending, totp_last_step FROM users WHERE id = $1 FOR UPDATE

-- name: user_set_totp_pending
UPDATE users SET totp_pending = $2 WHERE id = $1

-- name: user_enable_totp
UPDATE users SET totp_secret = totp_pending, totp_pending = NULL, totp_last_step = $2
WHERE id = $1

-- name: user_disable_totp
UPDATE users SET totp_secret = NULL, totp_pending = NULL, totp_last_step = $2 WHERE id = $1

-- name: user_set_totp_step
UPDATE users SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2
