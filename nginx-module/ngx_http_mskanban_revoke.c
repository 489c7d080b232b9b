
/*
 * ngx_http_mskanban_revoke: closing the streams of readers who lost access.
 *
 * The core publishes on "mskanban:revoke" when a session is revoked, a
 * user deleted, a member removed or a workspace (or board) deleted:
 *   {"type":"session","sessionId":..}      {"type":"user","userId":..}
 *   {"type":"member","workspaceId":..,"userId":..}
 *   {"type":"workspace","workspaceId":..}  {"type":"board","boardId":..}
 * Matching local streams are closed; when their clients reconnect, the
 * core's authorization answers 401 or 404 and EventSource stops. The
 * parsing and matching are shared with the WebSocket relay
 * (ngx_http_mskanban_ws_room.c).
 */


#include "ngx_http_mskanban_module.h"


static ngx_uint_t ngx_http_mskanban_str_eq(ngx_str_t *a, ngx_str_t *b);


/* the live streams: every local subscriber that matches is closed */

void
ngx_http_mskanban_revoke(u_char *json, size_t len)
{
    ngx_int_t                        rc;
    ngx_str_t                        board;
    ngx_uint_t                       n;
    ngx_queue_t                     *q, *next;
    ngx_http_mskanban_sub_t         *sub;
    ngx_http_mskanban_worker_t      *w = &ngx_http_mskanban_worker;
    ngx_http_mskanban_revocation_t   rv;

    rc = ngx_http_mskanban_revocation_parse(json, len, &rv);

    if (rc == NGX_DECLINED) {
        ngx_log_error(NGX_LOG_INFO, ngx_cycle->log, 0,
                      "mskanban: ignored revocation of type \"%V\"", &rv.type);
        return;
    }

    if (rc != NGX_OK) {
        ngx_log_error(NGX_LOG_WARN, ngx_cycle->log, 0,
                      "mskanban: invalid revocation \"%*s\"",
                      ngx_min(len, 256), json);
        return;
    }

    n = 0;

    for (q = ngx_queue_head(&w->all);
         q != ngx_queue_sentinel(&w->all);
         q = next)
    {
        next = ngx_queue_next(q);
        sub = ngx_queue_data(q, ngx_http_mskanban_sub_t, all_link);

        board.data = sub->board_id;
        board.len = sub->board_id_len;

        if (ngx_http_mskanban_revocation_match(&rv, &sub->id, &board)) {
            ngx_http_mskanban_sub_close(sub, NGX_HTTP_MSKANBAN_CLOSE_REVOKED);
            n++;
        }
    }

    ngx_log_error(NGX_LOG_INFO, ngx_cycle->log, 0,
                  "mskanban: revocation of type \"%V\" closed %ui streams",
                  &rv.type, n);
}


/*
 * Reads a revocation: NGX_OK with the ids its type carries (the others
 * stay empty), NGX_DECLINED for an unknown type (rv->type is set),
 * NGX_ERROR when it is not one. Shared with the WebSocket relay.
 */

ngx_int_t
ngx_http_mskanban_revocation_parse(u_char *json, size_t len,
    ngx_http_mskanban_revocation_t *rv)
{
    ngx_str_t  *type;

    ngx_memzero(rv, sizeof(ngx_http_mskanban_revocation_t));

    type = &rv->type;

    if (ngx_http_mskanban_json_string(json, len, "type", type) != NGX_OK) {
        return NGX_ERROR;
    }

    if (type->len == 7 && ngx_strncmp(type->data, "session", 7) == 0) {
        return ngx_http_mskanban_json_string(json, len, "sessionId",
                                             &rv->session) == NGX_OK
               ? NGX_OK : NGX_ERROR;
    }

    if (type->len == 4 && ngx_strncmp(type->data, "user", 4) == 0) {
        return ngx_http_mskanban_json_string(json, len, "userId", &rv->user)
               == NGX_OK ? NGX_OK : NGX_ERROR;
    }

    if (type->len == 6 && ngx_strncmp(type->data, "member", 6) == 0) {
        return (ngx_http_mskanban_json_string(json, len, "userId", &rv->user)
                == NGX_OK
                && ngx_http_mskanban_json_string(json, len, "workspaceId",
                                                 &rv->workspace)
                   == NGX_OK)
               ? NGX_OK : NGX_ERROR;
    }

    if (type->len == 9 && ngx_strncmp(type->data, "workspace", 9) == 0) {
        return ngx_http_mskanban_json_string(json, len, "workspaceId",
                                             &rv->workspace) == NGX_OK
               ? NGX_OK : NGX_ERROR;
    }

    if (type->len == 5 && ngx_strncmp(type->data, "board", 5) == 0) {
        return ngx_http_mskanban_json_string(json, len, "boardId", &rv->board)
               == NGX_OK ? NGX_OK : NGX_ERROR;
    }

    return NGX_DECLINED;
}


/*
 * Whether a reader (its identity and board) is revoked: every id the
 * revocation names must match, and it names at least one.
 */

ngx_uint_t
ngx_http_mskanban_revocation_match(ngx_http_mskanban_revocation_t *rv,
    ngx_http_mskanban_identity_t *id, ngx_str_t *board)
{
    if (rv->session.len
        && !ngx_http_mskanban_str_eq(&rv->session, &id->session))
    {
        return 0;
    }

    if (rv->user.len && !ngx_http_mskanban_str_eq(&rv->user, &id->user)) {
        return 0;
    }

    if (rv->workspace.len
        && !ngx_http_mskanban_str_eq(&rv->workspace, &id->workspace))
    {
        return 0;
    }

    if (rv->board.len && !ngx_http_mskanban_str_eq(&rv->board, board)) {
        return 0;
    }

    return rv->session.len || rv->user.len || rv->workspace.len
           || rv->board.len;
}


static ngx_uint_t
ngx_http_mskanban_str_eq(ngx_str_t *a, ngx_str_t *b)
{
    return a->len == b->len && ngx_strncmp(a->data, b->data, a->len) == 0;
}
