-- 008: comments and checklists on cards (issue 11). Bodies, titles and item texts are
-- client ciphertext (envelopes); a checklist item's `done` flag and every position
-- (fractional keys, as cards) are plaintext, so a card answer can carry
-- `checklist: {done, total}` without decrypting anything. Every row carries its board
-- (taken from the card by the insert) so the version trigger of sql/003 bumps the
-- board: the card list shows the checklist counts, and its ETag must change with them.
-- Deleting a card deletes its comments and checklists; a checklist its items.

CREATE TABLE comments (
    id          text PRIMARY KEY,
    seq         bigint GENERATED ALWAYS AS IDENTITY UNIQUE,  -- order and page cursor
    board_id    text NOT NULL REFERENCES boards (id) ON DELETE CASCADE,
    card_id     text NOT NULL REFERENCES cards (id) ON DELETE CASCADE,
    author_id   text REFERENCES users (id) ON DELETE SET NULL,
    enc_body    text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT comments_enc_body_shape CHECK (msk_is_envelope(enc_body, 65536))
);
CREATE INDEX comments_card_seq ON comments (card_id, seq);

-- Who a comment mentions: members of the workspace when it was written (checked by the
-- API), for the notifications of issue 10. Ids only.
CREATE TABLE comment_mentions (
    comment_id  text NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    user_id     text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (comment_id, user_id)
);
CREATE INDEX comment_mentions_user ON comment_mentions (user_id);

CREATE TABLE checklists (
    id          text PRIMARY KEY,
    board_id    text NOT NULL REFERENCES boards (id) ON DELETE CASCADE,
    card_id     text NOT NULL REFERENCES cards (id) ON DELETE CASCADE,
    enc_title   text NOT NULL,
    position    text COLLATE "C" NOT NULL,
    created_by  text REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT checklists_enc_title_shape CHECK (msk_is_envelope(enc_title, 4096)),
    CONSTRAINT checklists_card_position UNIQUE (card_id, position) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE checklist_items (
    id            text PRIMARY KEY,
    board_id      text NOT NULL REFERENCES boards (id) ON DELETE CASCADE,
    card_id       text NOT NULL REFERENCES cards (id) ON DELETE CASCADE,
    checklist_id  text NOT NULL REFERENCES checklists (id) ON DELETE CASCADE,
    enc_text      text NOT NULL,
    done          boolean NOT NULL DEFAULT false,
    position      text COLLATE "C" NOT NULL,
    created_by    text REFERENCES users (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT checklist_items_enc_text_shape CHECK (msk_is_envelope(enc_text, 4096)),
    CONSTRAINT checklist_items_list_position UNIQUE (checklist_id, position) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX checklist_items_board ON checklist_items (board_id, card_id);
CREATE INDEX checklist_items_card ON checklist_items (card_id);

CREATE TRIGGER comments_version_ins AFTER INSERT ON comments
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION msk_bump_board_version();
CREATE TRIGGER comments_version_upd AFTER UPDATE ON comments
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION msk_bump_board_version();
CREATE TRIGGER comments_version_del AFTER DELETE ON comments
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION msk_bump_board_version();
CREATE TRIGGER checklists_version_ins AFTER INSERT ON checklists
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION msk_bump_board_version();
CREATE TRIGGER checklists_version_upd AFTER UPDATE ON checklists
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION msk_bump_board_version();
CREATE TRIGGER checklists_version_del AFTER DELETE ON checklists
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION msk_bump_board_version();
CREATE TRIGGER checklist_items_version_ins AFTER INSERT ON checklist_items
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION msk_bump_board_version();
CREATE TRIGGER checklist_items_version_upd AFTER UPDATE ON checklist_items
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION msk_bump_board_version();
CREATE TRIGGER checklist_items_version_del AFTER DELETE ON checklist_items
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION msk_bump_board_version();

-- A card's checklist progress as "done,total", for the queries that return one card
-- (the card list joins one aggregate over the board instead).
CREATE FUNCTION msk_card_checklist(card text) RETURNS text
    LANGUAGE sql STABLE STRICT
    AS $$ SELECT count(*) FILTER (WHERE done) || ',' || count(*) FROM checklist_items WHERE card_id = card $$;
