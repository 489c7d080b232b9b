-- Automations (sql/012_webhooks_jobs.sql): ciphertext rule bodies with a plaintext trigger.

-- name: automations_of_board
SELECT id, board_id, trigger, trigger_meta::text AS trigger_meta, enc_body, enabled, created_by,
       msk_iso(created_at) AS created_at, msk_iso(updated_at) AS updated_at
FROM automations WHERE board_id = $1
ORDER BY created_at, id

-- name: automation_insert
INSERT INTO automations (id, board_id, trigger, trigger_meta, enc_body, enabled, created_by)
VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7)
ON CONFLICT (id) DO NOTHING
RETURNING id, board_id, trigger, trigger_meta::text AS trigger_meta, enc_body, enabled, created_by,
          msk_iso(created_at) AS created_at, msk_iso(updated_at) AS updated_at

-- name: automation_board
SELECT board_id, trigger FROM automations WHERE id = $1

-- name: automation_update
UPDATE automations
SET trigger = COALESCE($2, trigger), trigger_meta = COALESCE($3::jsonb, trigger_meta),
    enc_body = COALESCE($4, enc_body), enabled = COALESCE($5, enabled), updated_at = now()
WHERE id = $1
RETURNING id, board_id, trigger, trigger_meta::text AS trigger_meta, enc_body, enabled, created_by,
          msk_iso(created_at) AS created_at, msk_iso(updated_at) AS updated_at

-- name: automation_delete
DELETE FROM automations WHERE id = $1 RETURNING id
