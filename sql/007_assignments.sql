-- 007: card assignments. An assignee is a member of the card's workspace: the row
-- references the membership, so removing a member (or deleting the workspace) removes
-- their assignments there, and no row can name someone who is not a member. The board
-- and workspace columns are tied to the card's by foreign keys. Assignments bump the
-- board's version (sql/003): the card list carries each card's assigneeIds.

ALTER TABLE boards ADD CONSTRAINT boards_workspace_id_id UNIQUE (workspace_id, id);

CREATE TABLE card_assignees (
    workspace_id text NOT NULL,
    board_id     text NOT NULL,
    card_id      text NOT NULL,
    user_id      text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (card_id, user_id),
    CONSTRAINT card_assignees_card FOREIGN KEY (board_id, card_id) REFERENCES cards (board_id, id) ON DELETE CASCADE,
    CONSTRAINT card_assignees_board FOREIGN KEY (workspace_id, board_id)
        REFERENCES boards (workspace_id, id) ON DELETE CASCADE,
    CONSTRAINT card_assignees_member FOREIGN KEY (workspace_id, user_id)
        REFERENCES workspace_members (workspace_id, user_id) ON DELETE CASCADE
);
CREATE INDEX card_assignees_member ON card_assignees (workspace_id, user_id);

CREATE TRIGGER card_assignees_version_ins AFTER INSERT ON card_assignees
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION msk_bump_board_version();
CREATE TRIGGER card_assignees_version_del AFTER DELETE ON card_assignees
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION msk_bump_board_version();

-- A card's assignees' user ids, in id order: every query that returns cards selects it.
CREATE FUNCTION msk_card_assignee_ids(card text) RETURNS text[]
    LANGUAGE sql STABLE STRICT
    AS $$ SELECT ARRAY(SELECT user_id FROM card_assignees WHERE card_id = card ORDER BY user_id) $$;
