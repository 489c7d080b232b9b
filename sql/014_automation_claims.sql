-- 014: automation claims (issue 14). Clients run an automation's actions (they hold the
-- keys); when an event fires a rule in several open browsers, of one member or of
-- several, the first to claim (automation, triggering activity row) acts and every other
-- gets a 409 (POST /automations/:id/claims, src/automation_claims.hpp). The primary key
-- is the guarantee: two concurrent claims of one event cannot both insert.
-- created_at is for the periodic gc, which removes claims older than the window in which
-- an event may be claimed at all (so a removed claim can never be taken again).
CREATE TABLE automation_claims (
    automation_id text NOT NULL REFERENCES automations (id) ON DELETE CASCADE,
    event_id      text NOT NULL,                 -- activity.id of the triggering event
    claimed_by    text REFERENCES users (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (automation_id, event_id)
);
CREATE INDEX automation_claims_created ON automation_claims (created_at);
