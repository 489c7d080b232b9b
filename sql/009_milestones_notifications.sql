-- 009: milestones and notifications (issue 10).
--
-- A milestone belongs to one board: its name is client ciphertext; its due date and
-- archived flag are plaintext. A card points at a milestone of its own board:
-- cards (board_id, milestone_id) references milestones (board_id, id), so no row can
-- pair a card with another board's milestone (the API answers 400 first), and deleting a
-- milestone sets only milestone_id to null on its cards (PostgreSQL 15's column list).
-- cards.milestone_id (sql/002) has been null on every row until now, so the constraint
-- validates at once. Milestones bump the board's version (sql/003): the milestone list
-- shares the board's ETag, and clearing cards is an UPDATE of cards, which bumps it too.
--
-- A notification tells one user that someone else assigned them to a card or mentioned
-- them in a comment. It holds ids, the verb, the actor and the time, never content. It
-- references the recipient's membership, so removing a member (or deleting the
-- workspace) removes their notifications from there, as it removes their assignments;
-- deleting the card or the comment removes the notifications about it. A comment
-- mentions a user at most once in notifications (the partial unique index), so editing
-- a comment notifies only the users it newly mentions.

CREATE TABLE milestones (
    id          text PRIMARY KEY,
    board_id    text NOT NULL REFERENCES boards (id) ON DELETE CASCADE,
    enc_name    text NOT NULL,
    due_at      timestamptz,
    archived    boolean NOT NULL DEFAULT false,
    created_by  text REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT milestones_board_id_id UNIQUE (board_id, id),
    CONSTRAINT milestones_enc_name_shape CHECK (msk_is_envelope(enc_name, 4096))
);

ALTER TABLE cards ADD CONSTRAINT cards_milestone FOREIGN KEY (board_id, milestone_id)
    REFERENCES milestones (board_id, id) ON DELETE SET NULL (milestone_id);
CREATE INDEX cards_milestone ON cards (milestone_id) WHERE milestone_id IS NOT NULL;

CREATE TRIGGER milestones_version_ins AFTER INSERT ON milestones
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION msk_bump_board_version();
CREATE TRIGGER milestones_version_upd AFTER UPDATE ON milestones
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION msk_bump_board_version();
CREATE TRIGGER milestones_version_del AFTER DELETE ON milestones
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION msk_bump_board_version();

CREATE TABLE notifications (
    id           text PRIMARY KEY,
    seq          bigint GENERATED ALWAYS AS IDENTITY UNIQUE,  -- order and page cursor
    user_id      text NOT NULL,                               -- the recipient
    workspace_id text NOT NULL,
    board_id     text NOT NULL REFERENCES boards (id) ON DELETE CASCADE,
    card_id      text NOT NULL REFERENCES cards (id) ON DELETE CASCADE,
    comment_id   text REFERENCES comments (id) ON DELETE CASCADE,
    verb         text NOT NULL CHECK (verb IN ('CARD_ASSIGNED', 'COMMENT_MENTIONED')),
    actor_id     text REFERENCES users (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    read_at      timestamptz,
    CONSTRAINT notifications_member FOREIGN KEY (workspace_id, user_id)
        REFERENCES workspace_members (workspace_id, user_id) ON DELETE CASCADE,
    CONSTRAINT notifications_mention_has_comment CHECK ((verb = 'COMMENT_MENTIONED') = (comment_id IS NOT NULL))
);
CREATE INDEX notifications_user_seq ON notifications (user_id, seq DESC);
CREATE INDEX notifications_user_unread ON notifications (user_id, seq DESC) WHERE read_at IS NULL;
CREATE INDEX notifications_member ON notifications (workspace_id, user_id);
CREATE INDEX notifications_card ON notifications (card_id);
CREATE UNIQUE INDEX notifications_mention ON notifications (comment_id, user_id) WHERE comment_id IS NOT NULL;
