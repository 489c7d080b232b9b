-- The GET /me row as one definition (issue 16, the session cache): src/queries/accounts.sql
-- reads it with the session (me_by_session, one statement when the session is checked in
-- PostgreSQL) and without (me_by_user, when the worker's session cache already checked
-- it). The user's columns as user_by_id has them, and the workspace memberships as a JSON
-- array in the shape of workspace_json() (fcgi/handlers/kanban_io.cpp), oldest first.
-- LANGUAGE sql and STABLE, so the planner inlines it into both statements.
CREATE FUNCTION msk_me(uid text)
    RETURNS TABLE (id text, email text, kdf_memory_kib integer, kdf_iterations integer,
                   kdf_parallelism integer, kdf_salt text, auth_salt text, public_key text,
                   enc_private_key text, enc_symmetric_key text, enc_recovery_blob text,
                   totp_secret text, totp_pending text, totp_last_step bigint, created_at text,
                   workspaces json)
    LANGUAGE sql STABLE
    AS $$ SELECT u.id, u.email, u.kdf_memory_kib, u.kdf_iterations, u.kdf_parallelism, u.kdf_salt,
                 u.auth_salt, u.public_key, u.enc_private_key, u.enc_symmetric_key,
                 u.enc_recovery_blob, u.totp_secret, u.totp_pending, u.totp_last_step,
                 msk_iso(u.created_at),
                 coalesce((SELECT json_agg(json_build_object('id', w.id, 'encName', w.enc_name,
                                                             'role', m.role,
                                                             'encWorkspaceKey', m.enc_workspace_key,
                                                             'createdAt', msk_iso(w.created_at),
                                                             'updatedAt', msk_iso(w.updated_at))
                                           ORDER BY w.created_at, w.id)
                           FROM workspace_members m JOIN workspaces w ON w.id = m.workspace_id
                           WHERE m.user_id = u.id), '[]')
          FROM users u WHERE u.id = uid $$;
