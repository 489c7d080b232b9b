-- Comments and their mentions (sql/008_comments_checklists.sql). Every query that
-- returns comments returns the same columns, read by comment_from().

-- name: comment_card
SELECT card_id, author_id FROM comments WHERE id = $1

-- name: comment_by_id
SELECT c.id, c.card_id, c.author_id, c.enc_body, c.seq,
       coalesce((SELECT string_agg(user_id, ',' ORDER BY user_id) FROM comment_mentions WHERE comment_id = c.id), '')
           AS mentions,
       msk_iso(c.created_at) AS created_at, msk_iso(c.updated_at) AS updated_at
FROM comments c WHERE c.id = $1

-- Oldest first, after cursor $2 (a seq; 0 for the first page), at most $3 rows.
-- name: comments_of_card
SELECT c.id, c.card_id, c.author_id, c.enc_body, c.seq,
       coalesce((SELECT string_agg(user_id, ',' ORDER BY user_id) FROM comment_mentions WHERE comment_id = c.id), '')
           AS mentions,
       msk_iso(c.created_at) AS created_at, msk_iso(c.updated_at) AS updated_at
FROM comments c WHERE c.card_id = $1 AND c.seq > $2
ORDER BY c.seq LIMIT $3

-- The board comes from the card. No row: the id is taken.
-- name: comment_insert
INSERT INTO comments (id, board_id, card_id, author_id, enc_body)
SELECT $1, k.board_id, k.id, $3, $4 FROM cards k WHERE k.id = $2
ON CONFLICT (id) DO NOTHING
RETURNING id

-- Mentions $3 (comma-separated user ids) of comment $1 that are members of workspace
-- $2; the caller compares the count with the ids it asked for.
-- name: comment_mentions_insert
INSERT INTO comment_mentions (comment_id, user_id)
SELECT $1, m.user_id FROM workspace_members m
WHERE m.workspace_id = $2 AND m.user_id = ANY (string_to_array($3, ','))
ON CONFLICT DO NOTHING

-- name: comment_mentions_clear
DELETE FROM comment_mentions WHERE comment_id = $1

-- name: comment_update
UPDATE comments SET enc_body = COALESCE($2, enc_body), updated_at = now() WHERE id = $1 RETURNING id

-- name: comment_delete
DELETE FROM comments WHERE id = $1 RETURNING id
