-- Account recovery (src/recovery.hpp).

-- name: recovery_by_email
SELECT enc_recovery_blob, enc_recovery_private_key, recovery_verifier IS NOT NULL AS has_verifier
FROM users WHERE email = $1

-- name: recovery_user_for_update
SELECT id, recovery_verifier FROM users WHERE email = $1 FOR UPDATE

-- name: recovery_store
UPDATE users SET enc_recovery_blob = $2, enc_recovery_private_key = $3, recovery_verifier = $4
WHERE id = $1

-- The new password's key material and the new phrase's, in one statement.
-- name: recovery_replace
UPDATE users SET auth_hash = $2, kdf_memory_kib = $3, kdf_iterations = $4, kdf_parallelism = $5,
                 kdf_salt = $6, auth_salt = $7, enc_private_key = $8, enc_symmetric_key = $9,
                 enc_recovery_blob = $10, enc_recovery_private_key = $11, recovery_verifier = $12
WHERE id = $1
RETURNING id, email, msk_iso(created_at) AS created_at

-- name: recovery_totp_off
UPDATE users SET totp_secret = NULL, totp_pending = NULL WHERE id = $1
