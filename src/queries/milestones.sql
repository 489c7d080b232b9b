-- Milestones and a card's milestone (sql/009_milestones_notifications.sql). Every query
-- that returns milestones returns the same columns, read by milestone_from().

-- $2: true lists archived milestones too. Dated first by date, then oldest first.
-- name: milestones_of_board
SELECT id, board_id, enc_name, msk_iso(due_at) AS due_at, archived, created_by,
       msk_iso(created_at) AS created_at, msk_iso(updated_at) AS updated_at
FROM milestones WHERE board_id = $1 AND (NOT archived OR $2::boolean)
ORDER BY due_at NULLS LAST, created_at, id

-- name: milestone_insert
INSERT INTO milestones (id, board_id, enc_name, due_at, created_by)
VALUES ($1, $2, $3, $4::timestamptz, $5)
ON CONFLICT (id) DO NOTHING
RETURNING id, board_id, enc_name, msk_iso(due_at) AS due_at, archived, created_by,
          msk_iso(created_at) AS created_at, msk_iso(updated_at) AS updated_at

-- $3: whether $4 (the due date, null to clear) applies.
-- name: milestone_update
UPDATE milestones SET
    enc_name = COALESCE($2, enc_name),
    due_at = CASE WHEN $3 THEN $4::timestamptz ELSE due_at END,
    archived = COALESCE($5, archived),
    updated_at = now()
WHERE id = $1
RETURNING id, board_id, enc_name, msk_iso(due_at) AS due_at, archived, created_by,
          msk_iso(created_at) AS created_at, msk_iso(updated_at) AS updated_at

-- Its cards' milestone_id becomes null (the foreign key of sql/009).
-- name: milestone_delete
DELETE FROM milestones WHERE id = $1 RETURNING id

-- $1 milestone, $2 the card's board: a row when the card may carry it.
-- name: milestone_of_board
SELECT 1 FROM milestones WHERE id = $1 AND board_id = $2

-- $2 the milestone id or null. No row: the card had it already.
-- name: card_milestone_set
UPDATE cards SET milestone_id = $2, updated_at = now()
WHERE id = $1 AND milestone_id IS DISTINCT FROM $2
RETURNING id
