-- 003: the schema holds its own invariants, and boards and workspaces carry a version
-- for conditional reads.
--
-- * A card's column belongs to the card's board: columns are unique on (board_id, id)
--   and cards reference that pair, so no UPDATE can move a card to another board's
--   column. Deleting a column that still holds cards is refused (NO ACTION) instead of
--   dropping the cards: the API answers 409 for it, and ?moveCardsTo moves them first.
--   Deleting a board still removes its columns and cards (both cascade from boards).
-- * Every envelope column holds `v1.<nonce>.<ciphertext>` (base64url, a 24-byte nonce,
--   at least the 16-byte tag, no more ciphertext than the API accepts for the field);
--   a Workspace Key copy is an envelope or a base64url sealed box. Every position is a
--   well-formed fractional key. The checks are shape checks, looser than the API's
--   (which decodes), so they refuse only what no client could have sent.
-- * boards.version counts the changes of a board's lists (its own row, its columns, its
--   cards); workspaces.version counts the changes of its board list. Triggers bump them
--   in the mutating transaction, so an ETag derived from them changes with the commit
--   that changed the list. Every card and column write locks the board row first (see
--   lock_board in src/boards.hpp), so the bump never takes the board lock late.
-- ADD CONSTRAINT validates the rows already stored: the migration fails, and changes
-- nothing, when one of them breaks a rule.

-- base64url lengths: 24 bytes are 32 characters; 16 bytes at least 22; n bytes at most
-- ceil(4n/3); an unpadded length is never 1 modulo 4.
CREATE FUNCTION msk_is_envelope(t text, max_ct_bytes integer) RETURNS boolean
    LANGUAGE sql IMMUTABLE STRICT
    AS $$ SELECT t ~ '^v1\.[A-Za-z0-9_-]{32}\.[A-Za-z0-9_-]{22,}$'
                 AND (length(t) - 36) % 4 <> 1
                 AND length(t) - 36 <= (max_ct_bytes * 4 + 2) / 3 $$;

-- A crypto_box_seal of the 32-byte key and its label: 80 to 208 bytes.
CREATE FUNCTION msk_is_sealed_box(t text) RETURNS boolean
    LANGUAGE sql IMMUTABLE STRICT
    AS $$ SELECT t ~ '^[A-Za-z0-9_-]+$' AND length(t) BETWEEN 107 AND 278 AND length(t) % 4 <> 1 $$;

-- The same rule as is_position_key() in src/positions.cpp: base-62 digits, a head
-- letter announcing the integer part's length (a..z: 2..27, A..Z: 27..2), a fraction
-- without a trailing '0', at most 256 characters, never the smallest integer.
CREATE FUNCTION msk_is_position(p text) RETURNS boolean
    LANGUAGE sql IMMUTABLE STRICT
    AS $$ SELECT p ~ '^[A-Za-z][0-9A-Za-z]+$' AND length(p) <= 256
                 AND p <> 'A' || repeat('0', 26)
                 AND length(p) >= n AND (length(p) = n OR right(p, 1) <> '0')
          FROM (SELECT CASE WHEN ascii(p) >= ascii('a') THEN ascii(p) - ascii('a') + 2
                            ELSE ascii('Z') - ascii(p) + 2 END AS n) AS head $$;

ALTER TABLE users
    ADD CONSTRAINT users_enc_private_key_shape CHECK (msk_is_envelope(enc_private_key, 4096)),
    ADD CONSTRAINT users_enc_symmetric_key_shape CHECK (msk_is_envelope(enc_symmetric_key, 4096)),
    ADD CONSTRAINT users_enc_recovery_blob_shape CHECK (msk_is_envelope(enc_recovery_blob, 4096));

ALTER TABLE workspaces
    ADD COLUMN version bigint NOT NULL DEFAULT 0,
    ADD CONSTRAINT workspaces_enc_name_shape CHECK (msk_is_envelope(enc_name, 4096));

ALTER TABLE workspace_members
    ADD CONSTRAINT workspace_members_enc_workspace_key_shape
        CHECK (msk_is_envelope(enc_workspace_key, 1024) OR msk_is_sealed_box(enc_workspace_key));

ALTER TABLE boards
    ADD COLUMN version bigint NOT NULL DEFAULT 0,
    ADD CONSTRAINT boards_enc_name_shape CHECK (msk_is_envelope(enc_name, 4096)),
    ADD CONSTRAINT boards_enc_board_key_shape CHECK (msk_is_envelope(enc_board_key, 1024));

ALTER TABLE columns
    ADD CONSTRAINT columns_board_id_id UNIQUE (board_id, id),
    ADD CONSTRAINT columns_enc_name_shape CHECK (msk_is_envelope(enc_name, 4096)),
    ADD CONSTRAINT columns_position_shape CHECK (msk_is_position(position));

ALTER TABLE cards
    DROP CONSTRAINT cards_column_id_fkey,
    ADD CONSTRAINT cards_board_column FOREIGN KEY (board_id, column_id)
        REFERENCES columns (board_id, id) ON DELETE NO ACTION,
    ADD CONSTRAINT cards_enc_title_shape CHECK (msk_is_envelope(enc_title, 4096)),
    ADD CONSTRAINT cards_enc_description_shape CHECK (msk_is_envelope(enc_description, 262144)),
    ADD CONSTRAINT cards_position_shape CHECK (msk_is_position(position));

-- Version bumps. Statement-level with transition tables, so a statement touching many
-- cards (a rebalance, a column's cards moved out) bumps each board once.
CREATE FUNCTION msk_bump_board_version() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE boards SET version = version + 1 WHERE id IN (SELECT DISTINCT board_id FROM old_rows);
    ELSE
        UPDATE boards SET version = version + 1 WHERE id IN (SELECT DISTINCT board_id FROM new_rows);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER columns_version_ins AFTER INSERT ON columns
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION msk_bump_board_version();
CREATE TRIGGER columns_version_upd AFTER UPDATE ON columns
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION msk_bump_board_version();
CREATE TRIGGER columns_version_del AFTER DELETE ON columns
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION msk_bump_board_version();
CREATE TRIGGER cards_version_ins AFTER INSERT ON cards
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION msk_bump_board_version();
CREATE TRIGGER cards_version_upd AFTER UPDATE ON cards
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION msk_bump_board_version();
CREATE TRIGGER cards_version_del AFTER DELETE ON cards
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION msk_bump_board_version();

-- A board's own change (rename) shows in its lists too; a board created, renamed or
-- deleted changes the workspace's board list. `version` itself is left out of the
-- column list, so card and column bumps never reach the workspace row.
CREATE FUNCTION msk_bump_board_self() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    NEW.version := OLD.version + 1;
    RETURN NEW;
END $$;

CREATE TRIGGER boards_version_self BEFORE UPDATE OF enc_name, enc_board_key ON boards
    FOR EACH ROW EXECUTE FUNCTION msk_bump_board_self();

CREATE FUNCTION msk_bump_workspace_version() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    UPDATE workspaces SET version = version + 1
    WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.workspace_id ELSE NEW.workspace_id END;
    RETURN NULL;
END $$;

CREATE TRIGGER boards_workspace_version AFTER INSERT OR DELETE OR UPDATE OF enc_name, enc_board_key ON boards
    FOR EACH ROW EXECUTE FUNCTION msk_bump_workspace_version();
