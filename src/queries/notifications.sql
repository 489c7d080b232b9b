-- Notifications (sql/009_milestones_notifications.sql). Every query that returns
-- notifications returns the same columns, read by notification_from().

-- A notification for $2 (the recipient) from actor $8. The workspace and board come
-- from card $5. No row: a comment ($6) already notified this user.
-- name: notification_insert
INSERT INTO notifications (id, user_id, workspace_id, board_id, card_id, comment_id, verb, actor_id)
SELECT $1, $2, b.workspace_id, b.id, k.id, $6, $7, $8
FROM cards k JOIN boards b ON b.id = k.board_id
WHERE k.id = $5 AND b.id = $4 AND b.workspace_id = $3
ON CONFLICT DO NOTHING
RETURNING id

-- The users comment $1 mentions, but its author $2.
-- name: comment_mentioned_users
SELECT user_id FROM comment_mentions WHERE comment_id = $1 AND user_id <> $2 ORDER BY user_id

-- Newest first, before cursor $2 (a seq; 0 for the first page), at most $3 rows; $4:
-- unread ones only.
-- name: notifications_page
SELECT id, seq, verb, actor_id, workspace_id, board_id, card_id, comment_id,
       msk_iso(created_at) AS created_at, read_at IS NOT NULL AS read
FROM notifications
WHERE user_id = $1 AND ($2::bigint = 0 OR seq < $2::bigint) AND (read_at IS NULL OR NOT $4::boolean)
ORDER BY seq DESC LIMIT $3

-- name: notifications_unread
SELECT count(*) AS n FROM notifications WHERE user_id = $1 AND read_at IS NULL

-- $2 one of the user's notifications: it and every older one become read. No row: not
-- one of theirs.
-- name: notifications_mark_read
WITH upto AS (SELECT seq FROM notifications WHERE id = $2 AND user_id = $1),
     marked AS (UPDATE notifications SET read_at = now()
                WHERE user_id = $1 AND read_at IS NULL AND seq <= (SELECT seq FROM upto)
                RETURNING 1)
SELECT (SELECT count(*) FROM marked) AS marked FROM upto
