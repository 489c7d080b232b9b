-- Activity feed rows (metadata only).

-- name: activity_insert
INSERT INTO activity (id, workspace_id, board_id, actor_id, verb, target_type, target_id, metadata)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)
RETURNING msk_iso(created_at) AS created_at

-- name: activity_page
SELECT seq, id, actor_id, verb, target_type, target_id, metadata::text AS metadata,
       msk_iso(created_at) AS created_at
FROM activity
WHERE board_id = $1 AND ($2 = 0 OR seq < $2)
ORDER BY seq DESC
LIMIT $3
