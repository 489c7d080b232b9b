-- GET /me/export (src/account_export.cpp, docs/export.md): everything the server holds
-- about a user, in the schema mskanban-export/1. PostgreSQL builds each element of the
-- document as JSON text; the worker copies it out. Every list is a cursor named
-- export_rows ($1 = the user id), read export_fetch rows at a time inside one
-- REPEATABLE READ READ ONLY transaction, so the document is one consistent snapshot and
-- the worker holds one batch at a time, whatever the size of the account.
-- "What the user can read" is every board of every workspace they are a member of
-- (src/authz.cpp: any role reads).

-- name: export_account
-- The account row without the server-side hash of authHash, the TOTP secrets or any
-- recovery verifier; the wrapped keys as the client stored them.
SELECT json_build_object(
         'id', u.id, 'email', u.email, 'createdAt', msk_iso(u.created_at),
         'totpEnabled', u.totp_secret IS NOT NULL)::text AS account,
       json_build_object('publicKey', u.public_key, 'encPrivateKey', u.enc_private_key,
                         'encSymmetricKey', u.enc_symmetric_key, 'encRecoveryBlob', u.enc_recovery_blob,
                         'kdf', json_build_object('algorithm', 'argon2id', 'memoryKiB', u.kdf_memory_kib,
                                                  'iterations', u.kdf_iterations, 'parallelism', u.kdf_parallelism),
                         'kdfSalt', u.kdf_salt, 'authSalt', u.auth_salt)::text AS keys,
       msk_iso(now()) AS exported_at
FROM users u WHERE u.id = $1 AND u.deleted_at IS NULL

-- name: export_fetch
FETCH 200 FROM export_rows

-- name: export_close
CLOSE export_rows

-- name: export_sessions
-- Sessions, also ended ones not yet cleaned up; never the token hash or the IP hash.
DECLARE export_rows NO SCROLL CURSOR FOR
SELECT json_build_object('id', s.id, 'createdAt', msk_iso(s.created_at), 'lastSeenAt', msk_iso(s.last_seen_at),
                         'expiresAt', msk_iso(s.expires_at), 'revokedAt', msk_iso(s.revoked_at),
                         'userAgent', s.user_agent)::text
FROM sessions s WHERE s.user_id = $1 ORDER BY s.created_at, s.id

-- name: export_webauthn_credentials
-- The user's security keys (WebAuthn): nothing here is secret (sql/016_webauthn.sql).
DECLARE export_rows NO SCROLL CURSOR FOR
SELECT json_build_object('id', k.id, 'credentialId', k.credential_id, 'publicKey', k.public_key,
                         'coseAlg', k.cose_alg, 'signCount', k.sign_count, 'createdAt', msk_iso(k.created_at),
                         'lastUsedAt', msk_iso(k.last_used_at))::text
FROM webauthn_credentials k WHERE k.user_id = $1 ORDER BY k.created_at, k.id

-- name: export_workspaces
-- The workspaces with the user's membership: role and their sealed or wrapped copy of the
-- Workspace Key.
DECLARE export_rows NO SCROLL CURSOR FOR
SELECT json_build_object('id', w.id, 'encName', w.enc_name, 'role', m.role, 'encWorkspaceKey', m.enc_workspace_key,
                         'addedBy', m.added_by, 'joinedAt', msk_iso(m.created_at), 'createdBy', w.created_by,
                         'createdAt', msk_iso(w.created_at), 'updatedAt', msk_iso(w.updated_at))::text
FROM workspace_members m JOIN workspaces w ON w.id = m.workspace_id
WHERE m.user_id = $1 ORDER BY w.created_at, w.id

-- name: export_members
-- Who else is in those workspaces (ids, roles and emails, as GET /workspaces/:id/members shows them).
DECLARE export_rows NO SCROLL CURSOR FOR
SELECT json_build_object('workspaceId', o.workspace_id, 'userId', o.user_id, 'email', u.email,
                         'role', o.role)::text
FROM workspace_members m JOIN workspace_members o ON o.workspace_id = m.workspace_id
JOIN users u ON u.id = o.user_id
WHERE m.user_id = $1 ORDER BY o.workspace_id, o.created_at, o.user_id

-- name: export_boards
DECLARE export_rows NO SCROLL CURSOR FOR
SELECT json_build_object('id', b.id, 'workspaceId', b.workspace_id, 'encName', b.enc_name,
                         'encBoardKey', b.enc_board_key, 'createdBy', b.created_by,
                         'createdAt', msk_iso(b.created_at), 'updatedAt', msk_iso(b.updated_at))::text
FROM workspace_members m JOIN boards b ON b.workspace_id = m.workspace_id
WHERE m.user_id = $1 ORDER BY b.workspace_id, b.created_at, b.id

-- name: export_columns
DECLARE export_rows NO SCROLL CURSOR FOR
SELECT json_build_object('id', c.id, 'boardId', c.board_id, 'encName', c.enc_name, 'position', c.position,
                         'wipLimit', c.wip_limit, 'isDone', c.is_done, 'createdAt', msk_iso(c.created_at),
                         'updatedAt', msk_iso(c.updated_at))::text
FROM workspace_members m JOIN boards b ON b.workspace_id = m.workspace_id JOIN columns c ON c.board_id = b.id
WHERE m.user_id = $1 ORDER BY c.board_id, c.position

-- name: export_cards
-- Cards in the shape of the card list (src/queries/cards.sql), archived ones included,
-- with their custom field values (customFields: {fieldId: envelope}).
DECLARE export_rows NO SCROLL CURSOR FOR
SELECT json_build_object('id', k.id, 'boardId', k.board_id, 'columnId', k.column_id, 'encTitle', k.enc_title,
                         'encDescription', k.enc_description, 'position', k.position,
                         'dueAt', msk_iso(k.due_at), 'startAt', msk_iso(k.start_at), 'archived', k.archived,
                         'milestoneId', k.milestone_id,
                         'labelIds', ARRAY(SELECT label_id FROM card_labels WHERE card_id = k.id ORDER BY label_id),
                         'assigneeIds', ARRAY(SELECT user_id FROM card_assignees WHERE card_id = k.id ORDER BY user_id),
                         'customFields', coalesce((SELECT json_object_agg(field_id, enc_value ORDER BY field_id)
                                                   FROM card_field_values WHERE card_id = k.id), '{}'::json),
                         'createdBy', k.created_by, 'createdAt', msk_iso(k.created_at),
                         'updatedAt', msk_iso(k.updated_at))::text
FROM workspace_members m JOIN boards b ON b.workspace_id = m.workspace_id JOIN cards k ON k.board_id = b.id
WHERE m.user_id = $1 ORDER BY k.board_id, k.column_id, k.position

-- name: export_comments
DECLARE export_rows NO SCROLL CURSOR FOR
SELECT json_build_object('id', x.id, 'boardId', x.board_id, 'cardId', x.card_id, 'authorId', x.author_id,
                         'encBody', x.enc_body,
                         'mentions', ARRAY(SELECT user_id FROM comment_mentions WHERE comment_id = x.id ORDER BY user_id),
                         'createdAt', msk_iso(x.created_at), 'updatedAt', msk_iso(x.updated_at))::text
FROM workspace_members m JOIN boards b ON b.workspace_id = m.workspace_id JOIN comments x ON x.board_id = b.id
WHERE m.user_id = $1 ORDER BY x.card_id, x.seq

-- name: export_checklists
DECLARE export_rows NO SCROLL CURSOR FOR
SELECT json_build_object('id', l.id, 'boardId', l.board_id, 'cardId', l.card_id, 'encTitle', l.enc_title,
                         'position', l.position, 'createdBy', l.created_by, 'createdAt', msk_iso(l.created_at),
                         'updatedAt', msk_iso(l.updated_at))::text
FROM workspace_members m JOIN boards b ON b.workspace_id = m.workspace_id JOIN checklists l ON l.board_id = b.id
WHERE m.user_id = $1 ORDER BY l.card_id, l.position

-- name: export_checklist_items
DECLARE export_rows NO SCROLL CURSOR FOR
SELECT json_build_object('id', i.id, 'boardId', i.board_id, 'cardId', i.card_id, 'checklistId', i.checklist_id,
                         'encText', i.enc_text, 'done', i.done, 'position', i.position, 'createdBy', i.created_by,
                         'createdAt', msk_iso(i.created_at), 'updatedAt', msk_iso(i.updated_at))::text
FROM workspace_members m JOIN boards b ON b.workspace_id = m.workspace_id JOIN checklist_items i ON i.board_id = b.id
WHERE m.user_id = $1 ORDER BY i.checklist_id, i.position

-- name: export_labels
DECLARE export_rows NO SCROLL CURSOR FOR
SELECT json_build_object('id', l.id, 'boardId', l.board_id, 'encName', l.enc_name, 'colour', l.colour,
                         'createdBy', l.created_by, 'createdAt', msk_iso(l.created_at),
                         'updatedAt', msk_iso(l.updated_at))::text
FROM workspace_members m JOIN boards b ON b.workspace_id = m.workspace_id JOIN labels l ON l.board_id = b.id
WHERE m.user_id = $1 ORDER BY l.board_id, l.created_at, l.id

-- name: export_milestones
DECLARE export_rows NO SCROLL CURSOR FOR
SELECT json_build_object('id', s.id, 'boardId', s.board_id, 'encName', s.enc_name, 'dueAt', msk_iso(s.due_at),
                         'archived', s.archived, 'createdBy', s.created_by, 'createdAt', msk_iso(s.created_at),
                         'updatedAt', msk_iso(s.updated_at))::text
FROM workspace_members m JOIN boards b ON b.workspace_id = m.workspace_id JOIN milestones s ON s.board_id = b.id
WHERE m.user_id = $1 ORDER BY s.board_id, s.created_at, s.id

-- name: export_custom_fields
DECLARE export_rows NO SCROLL CURSOR FOR
SELECT json_build_object('id', f.id, 'boardId', f.board_id, 'type', f.type, 'encName', f.enc_name,
                         'encOptions', f.enc_options, 'position', f.position, 'createdBy', f.created_by,
                         'createdAt', msk_iso(f.created_at), 'updatedAt', msk_iso(f.updated_at))::text
FROM workspace_members m JOIN boards b ON b.workspace_id = m.workspace_id JOIN custom_fields f ON f.board_id = b.id
WHERE m.user_id = $1 ORDER BY f.board_id, f.position

-- name: export_templates
DECLARE export_rows NO SCROLL CURSOR FOR
SELECT json_build_object('id', t.id, 'boardId', t.board_id, 'encBody', t.enc_body, 'createdBy', t.created_by,
                         'createdAt', msk_iso(t.created_at), 'updatedAt', msk_iso(t.updated_at))::text
FROM workspace_members m JOIN boards b ON b.workspace_id = m.workspace_id JOIN card_templates t ON t.board_id = b.id
WHERE m.user_id = $1 ORDER BY t.board_id, t.created_at, t.id

-- name: export_automations
DECLARE export_rows NO SCROLL CURSOR FOR
SELECT json_build_object('id', a.id, 'boardId', a.board_id, 'trigger', a.trigger, 'triggerMeta', a.trigger_meta,
                         'encBody', a.enc_body, 'enabled', a.enabled, 'createdBy', a.created_by,
                         'createdAt', msk_iso(a.created_at), 'updatedAt', msk_iso(a.updated_at))::text
FROM workspace_members m JOIN boards b ON b.workspace_id = m.workspace_id JOIN automations a ON a.board_id = b.id
WHERE m.user_id = $1 ORDER BY a.board_id, a.created_at, a.id

-- name: export_attachments
-- Metadata only: the file bytes are fetched with GET /attachments/:id.
DECLARE export_rows NO SCROLL CURSOR FOR
SELECT json_build_object('id', a.id, 'boardId', a.board_id, 'cardId', a.card_id, 'uploaderId', a.uploader_id,
                         'encMeta', a.enc_meta, 'size', a.size_bytes, 'createdAt', msk_iso(a.created_at))::text
FROM workspace_members m JOIN attachments a ON a.workspace_id = m.workspace_id
WHERE m.user_id = $1 ORDER BY a.card_id, a.seq

-- name: export_notifications
DECLARE export_rows NO SCROLL CURSOR FOR
SELECT json_build_object('id', n.id, 'workspaceId', n.workspace_id, 'boardId', n.board_id, 'cardId', n.card_id,
                         'commentId', n.comment_id, 'verb', n.verb, 'actorId', n.actor_id,
                         'createdAt', msk_iso(n.created_at), 'readAt', msk_iso(n.read_at))::text
FROM notifications n WHERE n.user_id = $1 ORDER BY n.seq

-- name: export_activity
-- What the user did (activity rows with the user as actor), in every workspace they
-- still belong to.
DECLARE export_rows NO SCROLL CURSOR FOR
SELECT json_build_object('id', a.id, 'workspaceId', a.workspace_id, 'boardId', a.board_id, 'verb', a.verb,
                         'targetType', a.target_type, 'targetId', a.target_id, 'metadata', a.metadata,
                         'createdAt', msk_iso(a.created_at))::text
FROM activity a WHERE a.actor_id = $1 ORDER BY a.seq
