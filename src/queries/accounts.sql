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
-- idle limit; no row = 401), the user's columns as user_by_id has them, and the
-- workspace memberships as a JSON array in the shape of workspace_json()
-- (fcgi/handlers/kanban_io.cpp), oldest first.
-- name: me_by_session
SELECT s.*, u.id, u.email, u.kdf_memory_kib, u.kdf_iterations, u.kdf_parallelism, u.kdf_salt, u.auth_salt,
       u.public_key, u.enc_private_key, u.enc_symmetric_key, u.enc_recovery_blob,
       u.totp_secret, u.totp_pending, u.totp_last_step, msk_iso(u.created_at) AS created_at,
       coalesce((SELECT json_agg(json_build_object('id', w.id, 'encName', w.enc_name, 'role', m.role,
                                                   'encWorkspaceKey', m.enc_workspace_key,
                                                   'createdAt', msk_iso(w.created_at),
                                                   'updatedAt', msk_iso(w.updated_at))
                                 ORDER BY w.created_at, w.id)
                 FROM workspace_members m JOIN workspaces w ON w.id = m.workspace_id
                 WHERE m.user_id = s.session_user_id), '[]') AS workspaces
FROM msk_session($1, $2) s JOIN users u ON u.id = s.session_user_id

-- The same for a session already checked (the session cache): user $1, no session columns.
-- name: me_by_user
SELECT u.id, u.email, u.kdf_memory_kib, u.kdf_iterations, u.kdf_parallelism, u.kdf_salt, u.auth_salt,
       u.public_key, u.enc_private_key, u.enc_symmetric_key, u.enc_recovery_blob,
       u.totp_secret, u.totp_pending, u.totp_last_step, msk_iso(u.created_at) AS created_at,
       coalesce((SELECT json_agg(json_build_object('id', w.id, 'encName', w.enc_name, 'role', m.role,
                                                   'encWorkspaceKey', m.enc_workspace_key,
                                                   'createdAt', msk_iso(w.created_at),
                                                   'updatedAt', msk_iso(w.updated_at))
                                 ORDER BY w.created_at, w.id)
                 FROM workspace_members m JOIN workspaces w ON w.id = m.workspace_id
                 WHERE m.user_id = u.id), '[]') AS workspaces
FROM users u WHERE u.id = $1

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
