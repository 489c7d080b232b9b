-- 011: attachments on cards (issue 12). The bytes are a client-side libsodium
-- secretstream (client/README.md); the server keeps them under attachment_dir with a
-- random name (storage_name) and knows only their size, the card, the uploader and the
-- time. Name and media type are one envelope (enc_meta, AAD `attachment:<id>`).
-- Each row carries its workspace (for the quota) and board (for the version trigger).
--
-- A file leaves with its row: deleting an attachment, a card, a board or a workspace
-- deletes the rows (by cascade), and a trigger queues each row's file in
-- attachment_trash in the same transaction; the worker that deleted one attachment
-- removes its file after commit, `mskanbanctl gc` (and the workers' housekeeping)
-- removes the rest. A file renamed into storage whose transaction never committed has
-- no row and no trash entry: `mskanbanctl gc` removes such files once they are older
-- than an hour (an upload in flight commits within its request).

CREATE TABLE attachments (
    id            text PRIMARY KEY,
    seq           bigint GENERATED ALWAYS AS IDENTITY UNIQUE,  -- list order
    workspace_id  text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    board_id      text NOT NULL REFERENCES boards (id) ON DELETE CASCADE,
    card_id       text NOT NULL REFERENCES cards (id) ON DELETE CASCADE,
    uploader_id   text REFERENCES users (id) ON DELETE SET NULL,
    enc_meta      text NOT NULL,
    size_bytes    bigint NOT NULL,
    storage_name  text NOT NULL UNIQUE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT attachments_enc_meta_shape CHECK (msk_is_envelope(enc_meta, 4096)),
    CONSTRAINT attachments_size CHECK (size_bytes >= 0),
    -- 32 lowercase hex digits: nothing in a path says what the file is.
    CONSTRAINT attachments_storage_name CHECK (storage_name ~ '^[0-9a-f]{32}$')
);
CREATE INDEX attachments_card ON attachments (card_id, seq);
CREATE INDEX attachments_workspace ON attachments (workspace_id) INCLUDE (size_bytes);
CREATE INDEX attachments_board ON attachments (board_id);

-- Files whose rows are gone, waiting to be unlinked.
CREATE TABLE attachment_trash (
    storage_name  text PRIMARY KEY,
    queued_at     timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION msk_attachment_trash() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO attachment_trash (storage_name) SELECT storage_name FROM old_rows
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;

CREATE TRIGGER attachments_trash AFTER DELETE ON attachments
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION msk_attachment_trash();
CREATE TRIGGER attachments_version_ins AFTER INSERT ON attachments
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION msk_bump_board_version();
CREATE TRIGGER attachments_version_del AFTER DELETE ON attachments
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION msk_bump_board_version();
