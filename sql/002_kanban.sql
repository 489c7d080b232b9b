-- 002: workspaces, members, boards, columns, cards, the activity feed and idempotency keys.
-- Names, titles and descriptions are client ciphertext (envelopes) stored unchanged;
-- positions, WIP limits, dates and flags are the plaintext metadata a kanban needs.
-- Position keys are fractional-index strings compared byte-wise (COLLATE "C"), so a move
-- rewrites one row. Deletes are hard deletes that cascade to the children.

CREATE TABLE workspaces (
    id          text PRIMARY KEY,
    enc_name    text NOT NULL,
    created_by  text REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- One row per member, each with its own copy of the Workspace Key: the creator's wrapped
-- by their User Symmetric Key (an envelope), an invitee's sealed to their X25519 key.
CREATE TABLE workspace_members (
    workspace_id      text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id           text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role              text NOT NULL CHECK (role IN ('owner', 'member', 'viewer')),
    enc_workspace_key text NOT NULL,
    added_by          text REFERENCES users (id) ON DELETE SET NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX workspace_members_user ON workspace_members (user_id);

CREATE TABLE boards (
    id            text PRIMARY KEY,
    workspace_id  text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    enc_name      text NOT NULL,
    enc_board_key text NOT NULL,           -- the Board Key wrapped by the Workspace Key
    created_by    text REFERENCES users (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX boards_workspace ON boards (workspace_id, created_at);

CREATE TABLE columns (
    id          text PRIMARY KEY,
    board_id    text NOT NULL REFERENCES boards (id) ON DELETE CASCADE,
    enc_name    text NOT NULL,
    position    text COLLATE "C" NOT NULL,
    wip_limit   integer CHECK (wip_limit > 0),
    is_done     boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT columns_board_position UNIQUE (board_id, position) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE cards (
    id              text PRIMARY KEY,
    board_id        text NOT NULL REFERENCES boards (id) ON DELETE CASCADE,
    column_id       text NOT NULL REFERENCES columns (id) ON DELETE CASCADE,
    enc_title       text NOT NULL,
    enc_description text,
    position        text COLLATE "C" NOT NULL,
    due_at          timestamptz,
    start_at        timestamptz,
    archived        boolean NOT NULL DEFAULT false,
    archived_at     timestamptz,
    milestone_id    text,                   -- milestones arrive later; plaintext metadata
    created_by      text REFERENCES users (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT cards_column_position UNIQUE (column_id, position) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX cards_board ON cards (board_id);

-- The activity feed: metadata only (verb, actor, target, time and whitelisted plaintext
-- such as column ids). Workspace-level events (members, board deletion) have no board_id.
CREATE TABLE activity (
    seq          bigserial PRIMARY KEY,     -- feed order and pagination cursor
    id           text NOT NULL UNIQUE,
    workspace_id text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    board_id     text REFERENCES boards (id) ON DELETE CASCADE,
    actor_id     text REFERENCES users (id) ON DELETE SET NULL,
    verb         text NOT NULL CHECK (verb ~ '^[A-Z]+_[A-Z_]+$'),
    target_type  text NOT NULL,
    target_id    text NOT NULL,
    metadata     jsonb NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX activity_board ON activity (board_id, seq DESC);
CREATE INDEX activity_workspace ON activity (workspace_id, seq DESC);

-- Idempotency-Key: the first response to a POST, replayed to retries for 24 hours. A row
-- with a NULL status is a request in flight; its lease lets a retry take over after a
-- crash.
CREATE TABLE idempotency_keys (
    user_id       text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key           text NOT NULL,
    request_hash  text NOT NULL,            -- hex SHA-256 of method, path and body
    status        integer,
    response_body text,
    lease_until   timestamptz NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
