-- Attachments (sql/011_attachments.sql). Every query that returns attachments returns
-- the same columns, read by attachment_from().

-- For authorize_card_part: the card an attachment hangs off.
-- name: attachment_card
SELECT card_id, NULL::text AS author_id FROM attachments WHERE id = $1

-- name: attachment_by_id
SELECT id, card_id, uploader_id, enc_meta, size_bytes, storage_name, msk_iso(created_at) AS created_at
FROM attachments WHERE id = $1

-- name: attachments_of_card
SELECT id, card_id, uploader_id, enc_meta, size_bytes, storage_name, msk_iso(created_at) AS created_at
FROM attachments WHERE card_id = $1 ORDER BY seq

-- Uploads into one workspace run one at a time from here to commit, so two of them
-- cannot both pass the quota. Taken after the board's lock (lock order of boards.hpp);
-- only uploads take it.
-- name: attachment_quota_lock
SELECT pg_advisory_xact_lock(hashtextextended('mskanban.attachments:' || $1, 0))

-- name: attachment_workspace_usage
SELECT coalesce(sum(size_bytes), 0)::bigint AS used FROM attachments WHERE workspace_id = $1

-- The workspace and board come from the card. No row: the id is taken.
-- name: attachment_insert
INSERT INTO attachments (id, workspace_id, board_id, card_id, uploader_id, enc_meta, size_bytes, storage_name)
SELECT $1, b.workspace_id, k.board_id, k.id, $3, $4, $5, $6
FROM cards k JOIN boards b ON b.id = k.board_id WHERE k.id = $2
ON CONFLICT (id) DO NOTHING
RETURNING id

-- The trigger queues the file in attachment_trash; the deleting worker takes it off
-- again and unlinks the file itself after commit (a file it fails to remove is an
-- orphan for `mskanbanctl gc`).
-- name: attachment_delete
DELETE FROM attachments WHERE id = $1 RETURNING storage_name

-- name: attachment_untrash
DELETE FROM attachment_trash WHERE storage_name = $1

-- Files queued by deleted cards, boards and workspaces, at most $1, for whoever clears
-- them (mskanbanctl gc, the workers' housekeeping); concurrent cleaners skip each other.
-- name: attachment_trash_batch
SELECT storage_name FROM attachment_trash ORDER BY queued_at LIMIT $1 FOR UPDATE SKIP LOCKED

-- $1: comma-separated storage names whose files are gone.
-- name: attachment_trash_done
DELETE FROM attachment_trash WHERE storage_name = ANY (string_to_array($1, ','))

-- Of the storage names $1 (comma-separated), those a row or the trash still knows.
-- name: attachment_names_known
SELECT storage_name FROM attachments WHERE storage_name = ANY (string_to_array($1, ','))
UNION SELECT storage_name FROM attachment_trash WHERE storage_name = ANY (string_to_array($1, ','))

-- For `mskanbanctl check`: every row, in pages of $2 after seq $1.
-- name: attachments_page
SELECT id, card_id, uploader_id, enc_meta, size_bytes, storage_name, msk_iso(created_at) AS created_at, seq
FROM attachments WHERE seq > $1 ORDER BY seq LIMIT $2
