-- 006: labels. A label belongs to one board: its name is client ciphertext, its colour
-- plaintext (a fixed palette name or #rrggbb, lower case; the same rule as
-- is_label_colour() in src/labels.cpp). card_labels attaches labels to cards; both of
-- its foreign keys carry the board, so a card can only carry a label of its own board
-- (the API answers 400 first). Deleting a card or a label drops its attachments.
-- Labels and attachments bump the board's version (sql/003): the card list carries
-- each card's labelIds, and the label list shares the board's ETag.

ALTER TABLE cards ADD CONSTRAINT cards_board_id_id UNIQUE (board_id, id);

CREATE TABLE labels (
    id          text PRIMARY KEY,
    board_id    text NOT NULL REFERENCES boards (id) ON DELETE CASCADE,
    enc_name    text NOT NULL,
    colour      text NOT NULL,
    created_by  text REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT labels_board_id_id UNIQUE (board_id, id),
    CONSTRAINT labels_enc_name_shape CHECK (msk_is_envelope(enc_name, 4096)),
    CONSTRAINT labels_colour_shape
        CHECK (colour ~ '^(#[0-9a-f]{6}|gray|red|orange|yellow|green|teal|blue|purple|pink)$')
);

CREATE TABLE card_labels (
    board_id    text NOT NULL,
    card_id     text NOT NULL,
    label_id    text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (card_id, label_id),
    CONSTRAINT card_labels_card FOREIGN KEY (board_id, card_id) REFERENCES cards (board_id, id) ON DELETE CASCADE,
    CONSTRAINT card_labels_label FOREIGN KEY (board_id, label_id) REFERENCES labels (board_id, id) ON DELETE CASCADE
);
CREATE INDEX card_labels_label ON card_labels (label_id);

CREATE TRIGGER labels_version_ins AFTER INSERT ON labels
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION msk_bump_board_version();
CREATE TRIGGER labels_version_upd AFTER UPDATE ON labels
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION msk_bump_board_version();
CREATE TRIGGER labels_version_del AFTER DELETE ON labels
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION msk_bump_board_version();
CREATE TRIGGER card_labels_version_ins AFTER INSERT ON card_labels
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION msk_bump_board_version();
CREATE TRIGGER card_labels_version_del AFTER DELETE ON card_labels
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION msk_bump_board_version();

-- A card's label ids, in id order: every query that returns cards selects it.
CREATE FUNCTION msk_card_label_ids(card text) RETURNS text[]
    LANGUAGE sql STABLE STRICT
    AS $$ SELECT ARRAY(SELECT label_id FROM card_labels WHERE card_id = card ORDER BY label_id) $$;
