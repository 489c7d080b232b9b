
/*
 * ngx_http_mskanban_revoke: closing the streams of readers who lost access.
 *
 * The core publishes on "mskanban:revoke" when a session is revoked, a
 * user deleted, a member removed or a workspace (or board) deleted:
 *   {"type":"session","sessionId":..}      {"type":"user","userId":..}
 *   {"type":"member","workspaceId":..,"userId":..}
 *   {"type":"workspace","workspaceId":..}  {"type":"board","boardId":..}
 * Matching local streams are closed; when their clients reconnect, the
 * core's authorization answers 401 or 404 and EventSource stops.
 */


#include "ngx_http_mskanban_module.h"


typedef struct {
    ngx_str_t                       user;
    ngx_str_t                       session;
    ngx_str_t                       workspace;
    ngx_str_t                       board;
} ngx_http_mskanban_revocation_t;


static ngx_uint_t ngx_http_mskanban_revoke_match(
    ngx_http_mskanban_revocation_t *rv, ngx_http_mskanban_sub_t *sub);
static ngx_uint_t ngx_http_mskanban_str_eq(ngx_str_t *a, ngx_str_t *b);


void
ngx_http_mskanban_revoke(u_char *json, size_t len)
{
    ngx_str_t                        type;
    ngx_uint_t                       n;
    ngx_queue_t                     *q, *next;
    ngx_http_mskanban_sub_t         *sub;
    ngx_http_mskanban_worker_t      *w = &ngx_http_mskanban_worker;
    ngx_http_mskanban_revocation_t   rv;

    ngx_memzero(&rv, sizeof(ngx_http_mskanban_revocation_t));

    if (ngx_http_mskanban_json_string(json, len, "type", &type) != NGX_OK) {
        goto invalid;
    }

    if (type.len == 7 && ngx_strncmp(type.data, "session", 7) == 0) {
        if (ngx_http_mskanban_json_string(json, len, "sessionId",
                                          &rv.session)
            != NGX_OK)
        {
            goto invalid;
        }

    } else if (type.len == 4 && ngx_strncmp(type.data, "user", 4) == 0) {
        if (ngx_http_mskanban_json_string(json, len, "userId", &rv.user)
            != NGX_OK)
        {
            goto invalid;
        }

    } else if (type.len == 6 && ngx_strncmp(type.data, "member", 6) == 0) {
        if (ngx_http_mskanban_json_string(json, len, "userId", &rv.user)
            != NGX_OK
            || ngx_http_mskanban_json_string(json, len, "workspaceId",
                                             &rv.workspace)
               != NGX_OK)
        {
            goto invalid;
        }

    } else if (type.len == 9 && ngx_strncmp(type.data, "workspace", 9) == 0) {
        if (ngx_http_mskanban_json_string(json, len, "workspaceId",
                                          &rv.workspace)
            != NGX_OK)
        {
            goto invalid;
        }

    } else if (type.len == 5 && ngx_strncmp(type.data, "board", 5) == 0) {
        if (ngx_http_mskanban_json_string(json, len, "boardId", &rv.board)
            != NGX_OK)
        {
            goto invalid;
        }

    } else {
        ngx_log_error(NGX_LOG_INFO, ngx_cycle->log, 0,
                      "mskanban: ignored revocation of type \"%V\"", &type);
        return;
    }

    n = 0;

    for (q = ngx_queue_head(&w->all);
         q != ngx_queue_sentinel(&w->all);
         q = next)
    {
        next = ngx_queue_next(q);
        sub = ngx_queue_data(q, ngx_http_mskanban_sub_t, all_link);

        if (ngx_http_mskanban_revoke_match(&rv, sub)) {
            ngx_http_mskanban_sub_close(sub, NGX_HTTP_MSKANBAN_CLOSE_REVOKED);
            n++;
        }
    }

    ngx_log_error(NGX_LOG_INFO, ngx_cycle->log, 0,
                  "mskanban: revocation of type \"%V\" closed %ui streams",
                  &type, n);

    return;

invalid:

    ngx_log_error(NGX_LOG_WARN, ngx_cycle->log, 0,
                  "mskanban: invalid revocation \"%*s\"",
                  ngx_min(len, 256), json);
}


/* every id the revocation names must match; at least one is named */

static ngx_uint_t
ngx_http_mskanban_revoke_match(ngx_http_mskanban_revocation_t *rv,
    ngx_http_mskanban_sub_t *sub)
{
    ngx_str_t  board;

    if (rv->session.len
        && !ngx_http_mskanban_str_eq(&rv->session, &sub->id.session))
    {
        return 0;
    }

    if (rv->user.len && !ngx_http_mskanban_str_eq(&rv->user, &sub->id.user)) {
        return 0;
    }

    if (rv->workspace.len
        && !ngx_http_mskanban_str_eq(&rv->workspace, &sub->id.workspace))
    {
        return 0;
    }

    if (rv->board.len) {
        board.data = sub->board_id;
        board.len = sub->board_id_len;

        if (!ngx_http_mskanban_str_eq(&rv->board, &board)) {
            return 0;
        }
    }

    return rv->session.len || rv->user.len || rv->workspace.len
           || rv->board.len;
}


static ngx_uint_t
ngx_http_mskanban_str_eq(ngx_str_t *a, ngx_str_t *b)
{
    return a->len == b->len && ngx_strncmp(a->data, b->data, a->len) == 0;
}
