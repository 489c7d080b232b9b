
/*
 * ngx_http_mskanban_ws_ticket: redeeming the one-shot ticket of an upgrade.
 *
 * A rewrite-phase handler takes the ticket ("t") out of the request line
 * before anything can log it; an access-phase handler checks the handshake
 * and asks mskanban_ws_redeem_uri (ngx_http_mskanban_authz_request(), in a
 * pool of its own, like auth_request): the core answers 204 with who the
 * user is, the room, the role and the session's end, or 401/404. The
 * decision is kept in the context; the content handler
 * (ngx_http_mskanban_ws.c) upgrades or answers the refusal here as JSON.
 */


#include "ngx_http_mskanban_ws.h"


static ngx_int_t ngx_http_mskanban_ws_redact(ngx_pool_t *pool, ngx_str_t *s,
    ngx_uint_t in_query);
static size_t ngx_http_mskanban_ws_redact_run(u_char *p, u_char *end,
    ngx_uint_t in_query, u_char *out);
static ngx_int_t ngx_http_mskanban_ws_target(ngx_http_request_t *r,
    ngx_http_mskanban_ws_t *ws);
static void ngx_http_mskanban_ws_redeemed(ngx_http_request_t *r,
    void *data, ngx_uint_t status, ngx_list_t *headers);
static ngx_int_t ngx_http_mskanban_ws_session_end(ngx_http_mskanban_ws_t *ws,
    ngx_str_t *value);
static ngx_int_t ngx_http_mskanban_ws_valid_room(u_char *p, size_t len);


/*
 * The rewrite phase, the first a location's handlers see: the ticket ("t")
 * is copied into the context, and the request line, $request_uri and
 * $args get copies in which its value reads "REDACTED". So no access log
 * format ("combined" logs $request) and no error log line ("request:"
 * context), of this module or any other (limit_req, upstream errors), can
 * show a ticket. The original bytes stay only in the header buffer.
 */

ngx_int_t
ngx_http_mskanban_ws_scrub_handler(ngx_http_request_t *r)
{
    ngx_str_t                          value;
    ngx_http_variable_value_t         *vv;
    ngx_http_mskanban_ws_main_conf_t  *wmcf;
    ngx_http_mskanban_ws_t           *ws;
    ngx_http_mskanban_ws_loc_conf_t  *wlcf;

    wlcf = ngx_http_get_module_loc_conf(r, ngx_http_mskanban_ws_module);

    if (!wlcf->enable || r != r->main) {
        return NGX_DECLINED;
    }

    if (ngx_http_get_module_ctx(r, ngx_http_mskanban_ws_module) != NULL) {
        return NGX_DECLINED;
    }

    ws = ngx_pcalloc(r->pool, sizeof(ngx_http_mskanban_ws_t));
    if (ws == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ws->request = r;
    ws->conf = wlcf;
    ws->state = NGX_HTTP_MSKANBAN_WS_REDEEMING;

    ngx_http_set_ctx(r, ws, ngx_http_mskanban_ws_module);

    if (ngx_http_arg(r, (u_char *) "t", 1, &value) != NGX_OK) {
        return NGX_DECLINED;
    }

    if (ngx_http_mskanban_authz_copy(r->pool, &ws->ticket, &value) != NGX_OK
        || ngx_http_mskanban_ws_redact(r->pool, &r->request_line, 0)
           != NGX_OK
        || ngx_http_mskanban_ws_redact(r->pool, &r->unparsed_uri, 0)
           != NGX_OK
        || ngx_http_mskanban_ws_redact(r->pool, &r->args, 1) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* a $request_uri computed before (by a post-read handler) is dropped */

    wmcf = ngx_http_get_module_main_conf(r, ngx_http_mskanban_ws_module);

    vv = &r->variables[wmcf->request_uri_index];
    vv->valid = 0;
    vv->not_found = 0;

    return NGX_DECLINED;
}


/* replaces *s with a pool copy whose "t" parameters read "REDACTED" */

static ngx_int_t
ngx_http_mskanban_ws_redact(ngx_pool_t *pool, ngx_str_t *s,
    ngx_uint_t in_query)
{
    u_char  *out;
    size_t   len;

    if (s->len == 0) {
        return NGX_OK;
    }

    len = ngx_http_mskanban_ws_redact_run(s->data, s->data + s->len, in_query,
                                          NULL);

    out = ngx_pnalloc(pool, len);
    if (out == NULL) {
        return NGX_ERROR;
    }

    (void) ngx_http_mskanban_ws_redact_run(s->data, s->data + s->len,
                                           in_query, out);

    s->data = out;
    s->len = len;

    return NGX_OK;
}


/*
 * Copies [p, end) to out (or only measures, when out is NULL): in the
 * query (after the first "?", or all of it when in_query), the value of
 * each parameter named "t" (case-insensitive, as ngx_http_arg() matches)
 * becomes "REDACTED". A value ends at "&", " " (the request line's
 * protocol) or "#". Answers the length of the copy.
 */

static size_t
ngx_http_mskanban_ws_redact_run(u_char *p, u_char *end, ngx_uint_t in_query,
    u_char *out)
{
    u_char      *q;
    size_t       n;
    ngx_uint_t   at_param;

    static u_char  redacted[] = "REDACTED";

    n = 0;
    at_param = in_query;

    while (p < end) {

        if (in_query && at_param && end - p >= 2
            && (p[0] == 't' || p[0] == 'T') && p[1] == '=')
        {
            for (q = p + 2; q < end && *q != '&' && *q != ' ' && *q != '#';
                 q++)
            {
                /* void */
            }

            if (out) {
                out = ngx_cpymem(out, p, 2);
                out = ngx_cpymem(out, redacted, sizeof(redacted) - 1);
            }

            n += 2 + sizeof(redacted) - 1;
            p = q;
            at_param = 0;
            continue;
        }

        if (!in_query && *p == '?') {
            in_query = 1;
            at_param = 1;

        } else {
            at_param = (*p == '&');
        }

        if (out) {
            *out++ = *p;
        }

        n++;
        p++;
    }

    return n;
}


/*
 * The access phase: check the handshake, then redeem the ticket. The
 * decision is kept in the context; the content handler answers it.
 */

ngx_int_t
ngx_http_mskanban_ws_access_handler(ngx_http_request_t *r)
{
    u_char                            buf[256];
    ngx_str_t                         args;
    ngx_http_mskanban_ws_t           *ws;
    ngx_http_mskanban_ws_loc_conf_t  *wlcf;

    wlcf = ngx_http_get_module_loc_conf(r, ngx_http_mskanban_ws_module);

    if (!wlcf->enable || r != r->main) {
        return NGX_DECLINED;
    }

    ws = ngx_http_get_module_ctx(r, ngx_http_mskanban_ws_module);

    if (ws == NULL) {
        /* the rewrite phase made the context; it always runs first */
        return NGX_ERROR;
    }

    if (ws->checked) {
        return ws->done ? NGX_OK : NGX_AGAIN;
    }

    ws->checked = 1;

    ws->status = ngx_http_mskanban_ws_handshake_check(r, wlcf);

    if (ws->status == NGX_OK) {
        ws->status = ngx_http_mskanban_ws_target(r, ws);
    }

    if (ws->status != NGX_OK) {
        ws->done = 1;
        return NGX_OK;
    }

    /* a ticket has at most 128 bytes, a room 70 (_target() checked) */

    args.data = buf;
    args.len = ngx_snprintf(buf, sizeof(buf), "t=%V&room=%V", &ws->ticket,
                            &ws->room_name)
               - buf;

    if (ngx_http_mskanban_authz_request(r, &wlcf->redeem_uri, NULL, &args,
                                        ngx_http_mskanban_ws_redeemed, ws)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* even when answered already: the answer's event resumes the phases */

    return NGX_AGAIN;
}


/*
 * The ticket ("t") and the room: the last path segment when it is one
 * ("/api/ws/card:<id>", as y-websocket builds it), else the "room"
 * argument, else none (the ticket names it). Answers NGX_OK or a status.
 */

static ngx_int_t
ngx_http_mskanban_ws_target(ngx_http_request_t *r, ngx_http_mskanban_ws_t *ws)
{
    u_char     *p, *end, *start;
    ngx_str_t   value;

    /* the rewrite phase took the ticket out of the request */

    value = ws->ticket;

    if (value.len == 0 || value.len > 128) {
        return NGX_HTTP_UNAUTHORIZED;
    }

    for (p = value.data, end = p + value.len; p < end; p++) {
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')
              || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
        {
            return NGX_HTTP_UNAUTHORIZED;
        }
    }

    end = r->uri.data + r->uri.len;

    for (start = end; start > r->uri.data && start[-1] != '/'; start--) {
        /* void */
    }

    if (ngx_strlchr(start, end, ':') != NULL) {
        if (ngx_http_mskanban_ws_valid_room(start, end - start) != NGX_OK) {
            return NGX_HTTP_NOT_FOUND;
        }

        ws->room_name.data = start;
        ws->room_name.len = end - start;

        return NGX_OK;
    }

    if (ngx_http_arg(r, (u_char *) "room", 4, &value) == NGX_OK
        && value.len)
    {
        /* "%3A" for ":" in a query is tolerated */

        p = ngx_pnalloc(r->pool, value.len);
        if (p == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        start = p;
        ngx_unescape_uri(&p, &value.data, value.len, NGX_UNESCAPE_URI);

        if (ngx_http_mskanban_ws_valid_room(start, p - start) != NGX_OK) {
            return NGX_HTTP_NOT_FOUND;
        }

        ws->room_name.data = start;
        ws->room_name.len = p - start;
    }

    return NGX_OK;
}


static void
ngx_http_mskanban_ws_redeemed(ngx_http_request_t *r, void *data,
    ngx_uint_t status, ngx_list_t *headers)
{
    ngx_http_mskanban_ws_t *ws = data;

    ngx_str_t                     *room, *expires;
    ngx_http_mskanban_authz_id_t   id;

    ws->done = 1;
    ws->status = status;

    if (status < NGX_HTTP_OK || status >= NGX_HTTP_SPECIAL_RESPONSE) {
        if (status == 0) {
            ws->status = NGX_HTTP_BAD_GATEWAY;
        }

        return;
    }

    ws->status = ngx_http_mskanban_authz_identity(r, headers, &id);

    if (ws->status != NGX_OK) {
        return;
    }

    room = ngx_http_mskanban_find_header(headers, "X-MSKanban-Room");
    expires = ngx_http_mskanban_find_header(headers,
                                            "X-MSKanban-Session-Expires");

    if (room == NULL || id.role.len == 0
        || ngx_http_mskanban_ws_session_end(ws, expires) != NGX_OK
        || ngx_http_mskanban_ws_valid_room(room->data, room->len) != NGX_OK
        || (ws->room_name.len
            && (room->len != ws->room_name.len
                || ngx_strncmp(room->data, ws->room_name.data, room->len)
                   != 0)))
    {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "mskanban: ticket redemption answered %ui without a "
                      "valid X-MSKanban-Room, -Role and -Session-Expires",
                      status);
        ws->status = NGX_HTTP_BAD_GATEWAY;
        return;
    }

    if (ws->room_name.len == 0
        && ngx_http_mskanban_authz_copy(r->pool, &ws->room_name, room)
           != NGX_OK)
    {
        ws->status = NGX_HTTP_INTERNAL_SERVER_ERROR;
        return;
    }

    ws->id.user = id.user;
    ws->id.session = id.session;
    ws->id.workspace = id.workspace;
    ws->board = id.board;

    /* anything but a writer's role only follows the document */

    ws->readonly = !((id.role.len == 6
                      && ngx_strncmp(id.role.data, "member", 6) == 0)
                     || (id.role.len == 5
                         && ngx_strncmp(id.role.data, "owner", 5) == 0));

    ws->status = NGX_OK;
}


/*
 * X-MSKanban-Session-Expires: the unix time at which the session ends if
 * nothing else uses it (its idle or its absolute expiry, whichever comes
 * first); the connection is closed then (ngx_http_mskanban_ws_tick()).
 */

static ngx_int_t
ngx_http_mskanban_ws_session_end(ngx_http_mskanban_ws_t *ws,
    ngx_str_t *value)
{
    time_t  t, left;

    if (value == NULL) {
        return NGX_ERROR;
    }

    t = ngx_atotm(value->data, value->len);
    if (t == NGX_ERROR) {
        return NGX_ERROR;
    }

    left = t - ngx_time();

    if (left <= 0) {
        return NGX_ERROR;
    }

    /* a year at most: the core's lifetimes are hours */

    left = ngx_min(left, 365 * 86400);

    ws->expires = ngx_current_msec + (ngx_msec_t) left * 1000;
    ws->has_expiry = 1;

    return NGX_OK;
}


ngx_int_t
ngx_http_mskanban_ws_refuse(ngx_http_request_t *r, ngx_uint_t status)
{
    ngx_http_mskanban_ws_stat(refused, 1);

    switch (status) {

    case NGX_HTTP_BAD_REQUEST:
        return ngx_http_mskanban_send_error(r, status, "BAD_REQUEST",
                                            "invalid websocket handshake");

    case NGX_HTTP_UNAUTHORIZED:
        return ngx_http_mskanban_send_error(r, status, "UNAUTHORIZED",
                                            "missing, used or expired ticket");

    case NGX_HTTP_FORBIDDEN:
        return ngx_http_mskanban_send_error(r, status, "FORBIDDEN",
                                            "origin not allowed");

    case NGX_HTTP_NOT_FOUND:
        return ngx_http_mskanban_send_error(r, status, "NOT_FOUND",
                                            "room not found");

    case NGX_HTTP_NOT_ALLOWED:
        if (ngx_http_mskanban_add_header(r, "Allow", "GET") != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_http_mskanban_send_error(r, status, "METHOD_NOT_ALLOWED",
                                            "method not allowed");

    case 426:
        if (ngx_http_mskanban_add_header(r, "Sec-WebSocket-Version", "13")
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if (ngx_http_mskanban_add_header(r, "Upgrade", "websocket") != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_str_set(&r->headers_out.status_line, "426 Upgrade Required");

        return ngx_http_mskanban_send_error(r, status, "UPGRADE_REQUIRED",
                                            "a WebSocket (version 13) "
                                            "upgrade is required");

    case NGX_HTTP_TOO_MANY_REQUESTS:
        return ngx_http_mskanban_send_error(r, status, "RATE_LIMITED",
                                            "too many requests");

    case NGX_HTTP_SERVICE_UNAVAILABLE:
        return ngx_http_mskanban_send_error(r, status, "UNAVAILABLE",
                                            "the relay is busy; "
                                            "try again shortly");

    default:
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "mskanban: ticket redemption answered %ui", status);

        return ngx_http_mskanban_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                            "UNAVAILABLE",
                                            "authorization unavailable");
    }
}


/* "board:<id>" or "card:<id>" */

static ngx_int_t
ngx_http_mskanban_ws_valid_room(u_char *p, size_t len)
{
    if (len > 6 && ngx_strncmp(p, "board:", 6) == 0) {
        return ngx_http_mskanban_valid_id(p + 6, len - 6);
    }

    if (len > 5 && ngx_strncmp(p, "card:", 5) == 0) {
        return ngx_http_mskanban_valid_id(p + 5, len - 5);
    }

    return NGX_DECLINED;
}
