-- The hot path, part 3 (issue 16): a move to the end of a column is one statement with
-- its activity row, run without BEGIN/COMMIT round trips (src/cards.cpp, Route::autocommit
-- in fcgi/routes.hpp). 32 clients moving cards on one board queue on the board's row
-- lock, which is held until the transaction ends: with sql/018 it was held across this
-- function, the activity INSERT's round trip and the COMMIT's. Here the activity row is
-- written inside the function, and when the request has no Idempotency-Key the statement
-- commits by itself (an implicit transaction), so the lock is held for the function's
-- remaining work and the commit only, with no client round trip in between. The board's
-- version is still bumped by the cards trigger (sql/003) in the same transaction.

-- The activity row and its webhook deliveries (the transactional outbox,
-- sql/012_webhooks_jobs.sql), for src/queries/activity.sql (activity_insert) and the move
-- below. The delivery payload is the documented body {verb, boardId, cardId, actorId,
-- timestamp, metadata}; metadata is the event's plus its targetType and targetId. A
-- NOTIFY wakes mskanban-jobs when the transaction commits. Returns the row's created_at.
CREATE FUNCTION msk_activity_insert(p_id text, p_workspace text, p_board text, p_actor text, p_verb text,
                                    p_target_type text, p_target_id text, p_metadata jsonb)
    RETURNS timestamptz
    LANGUAGE plpgsql
    AS $$
DECLARE
    v_at timestamptz;
BEGIN
    INSERT INTO activity (id, workspace_id, board_id, actor_id, verb, target_type, target_id, metadata)
    VALUES (p_id, p_workspace, p_board, p_actor, p_verb, p_target_type, p_target_id, p_metadata)
    RETURNING created_at INTO v_at;
    IF p_board IS NOT NULL THEN
        INSERT INTO webhook_deliveries (id, webhook_id, activity_id, verb, payload)
        SELECT msk_ulid(), w.id, p_id, p_verb,
               jsonb_build_object('verb', p_verb, 'boardId', p_board,
                                  'cardId', CASE WHEN p_target_type = 'card' THEN p_target_id
                                                 ELSE p_metadata ->> 'cardId' END,
                                  'actorId', p_actor, 'timestamp', msk_iso(v_at),
                                  'metadata', p_metadata || jsonb_build_object('targetType', p_target_type,
                                                                               'targetId', p_target_id))::text
        FROM webhooks w
        WHERE w.board_id = p_board AND w.enabled AND (cardinality(w.events) = 0 OR p_verb = ANY (w.events));
        IF FOUND THEN
            PERFORM pg_notify('mskanban_deliveries', '');
        END IF;
    END IF;
    RETURN v_at;
END $$;

-- Moves card p_card of a board p_user may write to the end of column p_to_column and
-- records the CARD_MOVED activity row p_event_id. Answers as sql/018's version did (which
-- this replaces), plus event_at (the activity row's created_at): status 'ok', 'not_found',
-- 'viewer', 'bad_column', or 'rebalance' (nothing written: the caller places the card
-- itself, in a transaction). Nothing is written unless the status is 'ok'.
DROP FUNCTION msk_card_move_end(text, text, text);
CREATE FUNCTION msk_card_move_end(p_user text, p_card text, p_to_column text, p_event_id text)
    RETURNS TABLE (status text, workspace_id text, from_column_id text, event_at text, id text, board_id text,
                   column_id text, enc_title text, enc_description text, "position" text, due_at text,
                   start_at text, archived boolean, milestone_id text, label_ids text, assignee_ids text,
                   checklist text, custom_fields text, created_by text, created_at text, updated_at text)
    LANGUAGE plpgsql
    AS $$
#variable_conflict use_column
DECLARE
    v_workspace text;
    v_board text;
    v_role text;
    v_from text;
    v_key text;
    v_at timestamptz;
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
    -- As record_move (src/cards.cpp): the same metadata as the tick's.
    v_at := msk_activity_insert(p_event_id, v_workspace, v_board, p_user, 'CARD_MOVED', 'card', p_card,
                                jsonb_build_object('fromColumnId', v_from, 'toColumnId', p_to_column));
    -- As card_move (src/queries/cards.sql), with the msk_card_* functions' queries
    -- written out: sub-plans of this statement's plan, which PL/pgSQL keeps, instead of
    -- four function calls with an executor start each (0.13 of the move's 0.66 ms).
    RETURN QUERY
    UPDATE cards k SET column_id = p_to_column, position = v_key, updated_at = now() WHERE k.id = p_card
    RETURNING 'ok'::text, v_workspace, v_from, msk_iso(v_at), k.id, k.board_id, k.column_id, k.enc_title,
              k.enc_description, k.position::text, msk_iso(k.due_at), msk_iso(k.start_at), k.archived,
              k.milestone_id,
              array_to_string(ARRAY(SELECT l.label_id FROM card_labels l WHERE l.card_id = k.id ORDER BY l.label_id), ','),
              array_to_string(ARRAY(SELECT a.user_id FROM card_assignees a WHERE a.card_id = k.id ORDER BY a.user_id), ','),
              (SELECT count(*) FILTER (WHERE i.done) || ',' || count(*) FROM checklist_items i WHERE i.card_id = k.id),
              (SELECT coalesce(json_object_agg(f.field_id, f.enc_value ORDER BY f.field_id), '{}')::text
               FROM card_field_values f WHERE f.card_id = k.id),
              k.created_by, msk_iso(k.created_at), msk_iso(k.updated_at);
END $$;
