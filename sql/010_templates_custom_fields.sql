-- 010: card templates and custom fields (issue 11); the parts of a card tied to its board.
--
-- A card template is one envelope (title, description, checklist, labels as the client
-- encodes them; AAD `template:<id>`) saved on a board; the client applies it. The API
-- bounds its size (`card_template_max_bytes`) and the number per board
-- (`card_templates_per_board`); the CHECK here is the outer bound.
--
-- A custom field is defined on a board: its `type` is plaintext, its name and a
-- dropdown's option list ciphertext (AAD `custom-field:<id>`), its position a fractional
-- key (as cards). A card's value for a field is one envelope (AAD
-- `card:<cardId>/field:<fieldId>`); both foreign keys of a value carry the board, so a
-- card can only hold values for fields of its own board, and deleting the field or the
-- card deletes the value. Everything here bumps the board's version (sql/003): the card
-- list carries the values, and the template and field lists share the board's ETag.
--
-- Comments and checklists (sql/008) took their board from the card at insert time; the
-- composite keys added at the end make the database hold that rule too.

CREATE TABLE card_templates (
    id          text PRIMARY KEY,
    board_id    text NOT NULL REFERENCES boards (id) ON DELETE CASCADE,
    enc_body    text NOT NULL,
    created_by  text REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT card_templates_enc_body_shape CHECK (msk_is_envelope(enc_body, 1048576))
);
CREATE INDEX card_templates_board ON card_templates (board_id, created_at);

CREATE TABLE custom_fields (
    id           text PRIMARY KEY,
    board_id     text NOT NULL REFERENCES boards (id) ON DELETE CASCADE,
    type         text NOT NULL,
    enc_name     text NOT NULL,
    enc_options  text,
    position     text COLLATE "C" NOT NULL,
    created_by   text REFERENCES users (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT custom_fields_board_id_id UNIQUE (board_id, id),
    CONSTRAINT custom_fields_type CHECK (type IN ('text', 'number', 'date', 'url', 'checkbox', 'dropdown')),
    CONSTRAINT custom_fields_enc_name_shape CHECK (msk_is_envelope(enc_name, 4096)),
    CONSTRAINT custom_fields_enc_options_shape CHECK (msk_is_envelope(enc_options, 16384)),
    CONSTRAINT custom_fields_options_dropdown CHECK ((enc_options IS NOT NULL) = (type = 'dropdown')),
    CONSTRAINT custom_fields_position_shape CHECK (msk_is_position(position)),
    CONSTRAINT custom_fields_board_position UNIQUE (board_id, position) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE card_field_values (
    board_id    text NOT NULL,
    card_id     text NOT NULL,
    field_id    text NOT NULL,
    enc_value   text NOT NULL,
    updated_by  text REFERENCES users (id) ON DELETE SET NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (card_id, field_id),
    CONSTRAINT card_field_values_card FOREIGN KEY (board_id, card_id)
        REFERENCES cards (board_id, id) ON DELETE CASCADE,
    CONSTRAINT card_field_values_field FOREIGN KEY (board_id, field_id)
        REFERENCES custom_fields (board_id, id) ON DELETE CASCADE,
    CONSTRAINT card_field_values_enc_value_shape CHECK (msk_is_envelope(enc_value, 4096))
);
CREATE INDEX card_field_values_field ON card_field_values (field_id);
CREATE INDEX card_field_values_board ON card_field_values (board_id, card_id);

CREATE TRIGGER card_templates_version_ins AFTER INSERT ON card_templates
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION msk_bump_board_version();
CREATE TRIGGER card_templates_version_del AFTER DELETE ON card_templates
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION msk_bump_board_version();
CREATE TRIGGER custom_fields_version_ins AFTER INSERT ON custom_fields
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION msk_bump_board_version();
CREATE TRIGGER custom_fields_version_upd AFTER UPDATE ON custom_fields
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION msk_bump_board_version();
CREATE TRIGGER custom_fields_version_del AFTER DELETE ON custom_fields
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION msk_bump_board_version();
CREATE TRIGGER card_field_values_version_ins AFTER INSERT ON card_field_values
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION msk_bump_board_version();
CREATE TRIGGER card_field_values_version_upd AFTER UPDATE ON card_field_values
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION msk_bump_board_version();
CREATE TRIGGER card_field_values_version_del AFTER DELETE ON card_field_values
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION msk_bump_board_version();

-- A card's custom field values as a JSON object {fieldId: envelope} (text, "{}" for
-- none): every query that returns one card selects it (the card list aggregates the
-- board's values in one pass instead).
CREATE FUNCTION msk_card_custom_fields(card text) RETURNS text
    LANGUAGE sql STABLE STRICT
    AS $$ SELECT coalesce(json_object_agg(field_id, enc_value ORDER BY field_id), '{}')::text
          FROM card_field_values WHERE card_id = card $$;

-- The parts of sql/008 agree with their card's board, and an item's card with its
-- checklist's card.
ALTER TABLE checklists ADD CONSTRAINT checklists_card_id_id UNIQUE (card_id, id);
ALTER TABLE comments
    ADD CONSTRAINT comments_board_card FOREIGN KEY (board_id, card_id) REFERENCES cards (board_id, id) ON DELETE CASCADE;
ALTER TABLE checklists
    ADD CONSTRAINT checklists_board_card FOREIGN KEY (board_id, card_id) REFERENCES cards (board_id, id) ON DELETE CASCADE;
ALTER TABLE checklist_items
    ADD CONSTRAINT checklist_items_board_card FOREIGN KEY (board_id, card_id)
        REFERENCES cards (board_id, id) ON DELETE CASCADE,
    ADD CONSTRAINT checklist_items_card_checklist FOREIGN KEY (card_id, checklist_id)
        REFERENCES checklists (card_id, id) ON DELETE CASCADE;
