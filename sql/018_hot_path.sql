-- The hot path, part 2 (issue 16): a card move to the end of a column in one statement,
-- and the functions of the CHECK constraints and card rows without a parse per use.
-- 32 clients moving cards on one board queue on the board's row lock; a move held it
-- across five round trips (lock, sibling positions, update, activity, COMMIT). This
-- function does the authorization check, takes the locks in the usual order (workspace
-- and membership key-share, the board, then the card), checks the target column,
-- computes the new position and moves the card: the lock is now held across three
-- (this call, the activity row, COMMIT). Moves next to a given card keep the general path
-- in src/cards.cpp (place_item), and so does the rare move whose key would need a
-- rebalance (status 'rebalance': the caller goes on in the same transaction).

-- The position key right after `last` (NULL: the first key of an empty list): the same
-- key as key_between(last, nullopt) in src/positions.cpp (the next integer, or when the
-- integer part is at its end, a fraction between `last` and the end). NULL past 'z...'.
CREATE FUNCTION msk_position_after(last text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    AS $$
DECLARE
    digits constant text := '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
    head text;
    n integer;
    int_part text;
    digs text;
    frac text;
    i integer;
    d integer;
    carry boolean := true;
    out text := '';
BEGIN
    IF last IS NULL THEN RETURN 'a0'; END IF;
    head := left(last, 1);
    n := CASE WHEN ascii(head) >= ascii('a') THEN ascii(head) - ascii('a') + 2
              ELSE ascii('Z') - ascii(head) + 2 END;
    int_part := left(last, n);
    frac := substr(last, n + 1);
    -- step_integer(int_part, up)
    digs := substr(int_part, 2);
    i := length(digs);
    WHILE carry AND i > 0 LOOP
        d := strpos(digits, substr(digs, i, 1));  -- the digit's value + 1
        IF d = 62 THEN
            digs := overlay(digs PLACING '0' FROM i FOR 1);
            i := i - 1;
        ELSE
            digs := overlay(digs PLACING substr(digits, d + 1, 1) FROM i FOR 1);
            carry := false;
        END IF;
    END LOOP;
    IF NOT carry THEN RETURN head || digs; END IF;
    IF head = 'Z' THEN RETURN 'a0'; END IF;
    IF head <> 'z' THEN
        IF ascii(head) >= ascii('a') THEN RETURN chr(ascii(head) + 1) || digs || '0'; END IF;
        RETURN chr(ascii(head) + 1) || left(digs, -1);
    END IF;
    -- The largest integer: a fraction between frac and 1 (midpoint(frac, nullopt)).
    LOOP
        d := CASE WHEN frac = '' THEN 0 ELSE strpos(digits, left(frac, 1)) - 1 END;
        IF 62 - d > 1 THEN RETURN int_part || out || substr(digits, (d + 62 + 1) / 2 + 1, 1); END IF;
        out := out || 'z';
        frac := substr(frac, 2);
    END LOOP;
END $$;

-- Moves card p_card of a board p_user may write to the end of column p_to_column.
-- status: 'ok' (the card's row as card_move returns it, plus the workspace and the
-- column it came from), 'not_found' (no such card, or not a member), 'viewer' (read-only
-- member), 'bad_column' (not a column of the card's board) or 'rebalance' (the locks are
-- held; the caller places the card itself).
CREATE FUNCTION msk_card_move_end(p_user text, p_card text, p_to_column text)
    RETURNS TABLE (status text, workspace_id text, from_column_id text, id text, board_id text, column_id text,
                   enc_title text, enc_description text, "position" text, due_at text, start_at text,
                   archived boolean, milestone_id text, label_ids text, assignee_ids text, checklist text,
                   custom_fields text, created_by text, created_at text, updated_at text)
    LANGUAGE plpgsql
    AS $$
#variable_conflict use_column
DECLARE
    v_workspace text;
    v_board text;
    v_role text;
    v_from text;
    v_key text;
BEGIN
    -- As authz_card_write (src/queries/authz.sql).
    SELECT b.workspace_id, b.id, m.role INTO v_workspace, v_board, v_role
    FROM cards k
    JOIN boards b ON b.id = k.board_id
    JOIN workspaces w ON w.id = b.workspace_id
    JOIN workspace_members m ON m.workspace_id = b.workspace_id AND m.user_id = p_user
    WHERE k.id = p_card
    FOR KEY SHARE OF w, m;
    IF NOT FOUND THEN
        status := 'not_found';
        RETURN NEXT;
        RETURN;
    END IF;
    IF v_role = 'viewer' THEN
        status := 'viewer';
        RETURN NEXT;
        RETURN;
    END IF;
    -- The board, then the card read again under it (card_move_lock).
    PERFORM 1 FROM boards b WHERE b.id = v_board FOR NO KEY UPDATE;
    SELECT k.column_id INTO v_from FROM cards k WHERE k.id = p_card AND k.board_id = v_board FOR UPDATE;
    IF NOT FOUND THEN
        status := 'not_found';
        RETURN NEXT;
        RETURN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM columns c WHERE c.id = p_to_column AND c.board_id = v_board) THEN
        status := 'bad_column';
        RETURN NEXT;
        RETURN;
    END IF;
    -- After the last card of the column, archived ones included (place_item with no
    -- neighbour given).
    v_key := msk_position_after((SELECT k.position FROM cards k WHERE k.column_id = p_to_column AND k.id <> p_card
                                 ORDER BY k.position DESC LIMIT 1));
    IF v_key IS NULL OR length(v_key) > 48 THEN  -- kMaxPositionKey
        status := 'rebalance';
        workspace_id := v_workspace;
        from_column_id := v_from;
        board_id := v_board;
        RETURN NEXT;
        RETURN;
    END IF;
    -- As card_move (src/queries/cards.sql).
    RETURN QUERY
    UPDATE cards k SET column_id = p_to_column, position = v_key, updated_at = now() WHERE k.id = p_card
    RETURNING 'ok'::text, v_workspace, v_from, k.id, k.board_id, k.column_id, k.enc_title, k.enc_description,
              k.position::text, msk_iso(k.due_at), msk_iso(k.start_at), k.archived, k.milestone_id,
              array_to_string(msk_card_label_ids(k.id), ','), array_to_string(msk_card_assignee_ids(k.id), ','),
              msk_card_checklist(k.id), msk_card_custom_fields(k.id), k.created_by, msk_iso(k.created_at),
              msk_iso(k.updated_at);
END $$;

-- SQL functions, as PL/pgSQL (same rules, same results). A LANGUAGE sql function is
-- parsed again wherever it is used outside a prepared plan: a CHECK constraint's
-- functions are inlined (parsed) for every INSERT or UPDATE statement, and one that
-- cannot be inlined (msk_is_position, with its FROM; the msk_card_* subqueries) is
-- parsed and planned on every call. `perf` on a backend updating one card: 49% of its
-- time in ExecConstraints, mostly the parser; 1.07 ms per UPDATE, 0.29 ms after this
-- (docs/internals.md, "Where the time goes"). PL/pgSQL keeps its compiled function and
-- its plans for the session.
CREATE OR REPLACE FUNCTION msk_is_envelope(t text, max_ct_bytes integer) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE STRICT
    AS $$ BEGIN
    RETURN t ~ '^v1\.[A-Za-z0-9_-]{32}\.[A-Za-z0-9_-]{22,}$'
           AND (length(t) - 36) % 4 <> 1
           AND length(t) - 36 <= (max_ct_bytes * 4 + 2) / 3;
END $$;

CREATE OR REPLACE FUNCTION msk_is_sealed_box(t text) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE STRICT
    AS $$ BEGIN
    RETURN t ~ '^[A-Za-z0-9_-]+$' AND length(t) BETWEEN 107 AND 278 AND length(t) % 4 <> 1;
END $$;

CREATE OR REPLACE FUNCTION msk_is_position(p text) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE STRICT
    AS $$
DECLARE
    n integer := CASE WHEN ascii(p) >= ascii('a') THEN ascii(p) - ascii('a') + 2 ELSE ascii('Z') - ascii(p) + 2 END;
BEGIN
    RETURN p ~ '^[A-Za-z][0-9A-Za-z]+$' AND length(p) <= 256
           AND p <> 'A' || repeat('0', 26)
           AND length(p) >= n AND (length(p) = n OR right(p, 1) <> '0');
END $$;

CREATE OR REPLACE FUNCTION msk_card_label_ids(card text) RETURNS text[]
    LANGUAGE plpgsql STABLE STRICT
    AS $$ BEGIN
    RETURN ARRAY(SELECT label_id FROM card_labels WHERE card_id = card ORDER BY label_id);
END $$;

CREATE OR REPLACE FUNCTION msk_card_assignee_ids(card text) RETURNS text[]
    LANGUAGE plpgsql STABLE STRICT
    AS $$ BEGIN
    RETURN ARRAY(SELECT user_id FROM card_assignees WHERE card_id = card ORDER BY user_id);
END $$;

CREATE OR REPLACE FUNCTION msk_card_checklist(card text) RETURNS text
    LANGUAGE plpgsql STABLE STRICT
    AS $$ BEGIN
    RETURN (SELECT count(*) FILTER (WHERE done) || ',' || count(*) FROM checklist_items WHERE card_id = card);
END $$;

CREATE OR REPLACE FUNCTION msk_card_custom_fields(card text) RETURNS text
    LANGUAGE plpgsql STABLE STRICT
    AS $$ BEGIN
    RETURN (SELECT coalesce(json_object_agg(field_id, enc_value ORDER BY field_id), '{}')::text
            FROM card_field_values WHERE card_id = card);
END $$;
