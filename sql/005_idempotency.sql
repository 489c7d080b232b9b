-- 005: Idempotency-Key records are written in the request's own transaction (claim, the
-- handler's work and the stored response commit together), so the lease of the old
-- three-transaction scheme goes; claims left without a response by it are dropped. A
-- record keeps the workspace and board the request changed and is deleted with them.

DELETE FROM idempotency_keys WHERE status IS NULL;

ALTER TABLE idempotency_keys
    DROP COLUMN lease_until,
    ADD COLUMN workspace_id text REFERENCES workspaces (id) ON DELETE CASCADE,
    ADD COLUMN board_id     text REFERENCES boards (id) ON DELETE CASCADE;

CREATE INDEX idempotency_keys_workspace ON idempotency_keys (workspace_id) WHERE workspace_id IS NOT NULL;
CREATE INDEX idempotency_keys_board ON idempotency_keys (board_id) WHERE board_id IS NOT NULL;
