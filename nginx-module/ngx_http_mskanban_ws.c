
/*
 * ngx_http_mskanban_ws: the WebSocket transport.
 *
 * The content handler sends the 101 (ngx_http_mskanban_ws_ticket.c has
 * redeemed the ticket) and takes the connection over: nginx's HTTP
 * machinery keeps the request (r->main->count) and we read and write the
 * socket ourselves. Reading starts once the room's Redis subscription is
 * confirmed, so that no answer to the client's first message is lost.
 * Messages are reassembled in a buffer freed after each one; what all
 * connections of a worker hold at once is capped by
 * mskanban_ws_reassembly_budget (1009) and a message in pieces must be
 * complete within mskanban_ws_message_timeout (1008, the read timer).
 *
 * Writing: frames are shared, refcounted buffers queued per connection and
 * written together with send_chain() from a posted write event; bytes
 * queued but not yet taken by the client are capped by
 * mskanban_ws_send_buffer (a slow consumer is closed with 1013 instead of
 * growing memory) and their age by send_timeout. Closing
 * queues a close frame, waits for the client's (mskanban_ws_close_timeout
 * at most, on a timer) and ends the request from a posted event, never
 * from inside a Redis callback. Idle connections get pings every
 * mskanban_ws_ping_interval and are closed after mskanban_ws_idle_timeout
 * without a frame; a connection ends at its session's end or after
 * mskanban_ws_max_duration (4401), or on a revocation (4403).
 */


#include "ngx_http_mskanban_ws.h"


#define NGX_HTTP_MSKANBAN_WS_READ_BUDGET  (256 * 1024)



static ngx_uint_t ngx_http_mskanban_ws_follows_only(u_char *p, size_t len,
    ngx_uint_t opcode);


static void ngx_http_mskanban_ws_read_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_mskanban_ws_process(ngx_http_mskanban_ws_t *ws,
    u_char *p, u_char *last);
static ngx_int_t ngx_http_mskanban_ws_append(ngx_http_mskanban_ws_t *ws,
    ngx_http_mskanban_ws_event_t *ev);
static void ngx_http_mskanban_ws_msg_free(ngx_http_mskanban_ws_t *ws);
static void ngx_http_mskanban_ws_control(ngx_http_mskanban_ws_t *ws,
    ngx_http_mskanban_ws_event_t *ev);
static void ngx_http_mskanban_ws_fail(ngx_http_mskanban_ws_t *ws,
    ngx_uint_t code);
static ngx_uint_t ngx_http_mskanban_ws_fits(ngx_http_mskanban_ws_t *ws,
    size_t len);
static void ngx_http_mskanban_ws_slow(ngx_http_mskanban_ws_t *ws);
static ngx_int_t ngx_http_mskanban_ws_queue(ngx_http_mskanban_ws_t *ws,
    ngx_http_mskanban_ws_msg_t *msg);
static void ngx_http_mskanban_ws_post_flush(ngx_http_mskanban_ws_t *ws);
static void ngx_http_mskanban_ws_flush(ngx_http_mskanban_ws_t *ws);
static void ngx_http_mskanban_ws_write_handler(ngx_http_request_t *r);
static void ngx_http_mskanban_ws_abort(ngx_http_mskanban_ws_t *ws);
static void ngx_http_mskanban_ws_finish_handler(ngx_event_t *ev);
static void ngx_http_mskanban_ws_cleanup(void *data);



/* one read buffer per worker: parsing copies out what it keeps */
static u_char  ngx_http_mskanban_ws_rbuf[16384];

/* bytes of messages being reassembled, by every connection of the worker */
static size_t  ngx_http_mskanban_ws_reassembly;

static u_char  ngx_http_mskanban_ws_ping_frame[] = { 0x89, 0x00 };

/* never freed: it starts with a reference nobody releases */
static ngx_http_mskanban_ws_msg_t  ngx_http_mskanban_ws_ping = {
    1, { 0, 0 }, 0, sizeof(ngx_http_mskanban_ws_ping_frame),
    ngx_http_mskanban_ws_ping_frame, 0, 0
};


/* the content handler: refuse, or upgrade and join the room */

ngx_int_t
ngx_http_mskanban_ws_handler(ngx_http_request_t *r)
{
    ngx_int_t                          rc;
    ngx_connection_t                  *c;
    ngx_pool_cleanup_t                *cln;
    ngx_http_mskanban_ws_t            *ws;
    ngx_http_mskanban_ws_main_conf_t  *wmcf;

    c = r->connection;
    ws = ngx_http_get_module_ctx(r, ngx_http_mskanban_ws_module);

    if (ws == NULL || !ws->done) {
        ngx_log_error(NGX_LOG_ERR, c->log, 0,
                      "mskanban: the ticket redemption did not run "
                      "(is \"satisfy any\" set for this location?)");
        return ngx_http_mskanban_send_error(r,
                                            NGX_HTTP_INTERNAL_SERVER_ERROR,
                                            "INTERNAL", "internal error");
    }

    if (ws->status != NGX_OK) {
        return ngx_http_mskanban_ws_refuse(r, ws->status);
    }

    wmcf = ngx_http_get_module_main_conf(r, ngx_http_mskanban_ws_module);

    if (ngx_http_mskanban_ws_worker_connections() >= wmcf->max_connections) {
        ngx_log_error(NGX_LOG_WARN, c->log, 0,
                      "mskanban: websocket refused: %ui connections on this "
                      "worker (mskanban_ws_max_connections)",
                      ngx_http_mskanban_ws_worker_connections());
        return ngx_http_mskanban_ws_refuse(r, NGX_HTTP_SERVICE_UNAVAILABLE);
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    cln->handler = ngx_http_mskanban_ws_cleanup;
    cln->data = ws;

    ws->busy_last = &ws->busy;
    ws->finish_ev.handler = ngx_http_mskanban_ws_finish_handler;
    ws->finish_ev.data = ws;
    ws->finish_ev.log = c->log;
    ws->last_recv = ngx_current_msec;
    ws->last_ping = ngx_current_msec;

    /* the session's end, or mskanban_ws_max_duration, whichever first */

    if (ws->conf->max_duration
        && (!ws->has_expiry
            || ws->expires - ngx_current_msec > ws->conf->max_duration))
    {
        ws->expires = ngx_current_msec + ws->conf->max_duration;
        ws->has_expiry = 1;
    }

    ngx_http_mskanban_ws_parser_init(&ws->parser, ws->conf->max_message);

    rc = ngx_http_mskanban_ws_handshake_accept(r);

    if (rc == NGX_ERROR || rc > NGX_OK) {
        return rc;
    }

    ngx_http_mskanban_ws_stat(accepted, 1);
    ngx_http_mskanban_ws_stat(connections, 1);
    ws->counted = 1;

    c->log->action = "relaying websocket";

    r->read_event_handler = ngx_http_mskanban_ws_read_handler;
    r->write_event_handler = ngx_http_mskanban_ws_write_handler;
    r->main->count++;

    ws->state = NGX_HTTP_MSKANBAN_WS_WAITING;

    if (ngx_tcp_nodelay(c) != NGX_OK) {
        ngx_http_mskanban_ws_abort(ws);
        return NGX_DONE;
    }

    ngx_http_mskanban_ws_flush(ws);

    if (ws->state == NGX_HTTP_MSKANBAN_WS_WAITING
        && ngx_http_mskanban_ws_join(ws) != NGX_OK)
    {
        ngx_http_mskanban_ws_close(ws, NGX_HTTP_MSKANBAN_WS_TRY_AGAIN);
    }

    return NGX_DONE;
}


/* the room is subscribed: read what the client sends */

void
ngx_http_mskanban_ws_start(ngx_http_mskanban_ws_t *ws)
{
    if (ws->state != NGX_HTTP_MSKANBAN_WS_WAITING) {
        return;
    }

    ws->state = NGX_HTTP_MSKANBAN_WS_OPEN;
    ws->last_recv = ngx_current_msec;

    ngx_post_event(ws->request->connection->read, &ngx_posted_events);
}


static void
ngx_http_mskanban_ws_read_handler(ngx_http_request_t *r)
{
    u_char                  *p, *last;
    size_t                   total;
    ssize_t                  n;
    ngx_connection_t        *c;
    ngx_http_mskanban_ws_t  *ws;

    c = r->connection;
    ws = ngx_http_get_module_ctx(r, ngx_http_mskanban_ws_module);

    if (c->read->timedout) {
        c->read->timedout = 0;

        /* the message timer (ngx_http_mskanban_ws_append()) */

        if (ws && ws->state == NGX_HTTP_MSKANBAN_WS_OPEN && ws->msg_len) {
            ngx_log_error(NGX_LOG_INFO, c->log, 0,
                          "mskanban: websocket message not complete within "
                          "mskanban_ws_message_timeout, closing with 1008");
            ngx_http_mskanban_ws_stat(protocol_closed, 1);
            ngx_http_mskanban_ws_close(ws, NGX_HTTP_MSKANBAN_WS_POLICY);
            return;
        }
    }

    /* after a close frame or a protocol error nothing more is read */

    if (ws == NULL
        || (ws->state != NGX_HTTP_MSKANBAN_WS_OPEN
            && ws->state != NGX_HTTP_MSKANBAN_WS_CLOSING)
        || ws->abort || ws->close_received)
    {
        return;
    }

    /* frames that came right behind the request headers */

    if (r->header_in->pos < r->header_in->last) {
        p = r->header_in->pos;
        last = r->header_in->last;
        r->header_in->pos = last;

        ws->last_recv = ngx_current_msec;
        ngx_http_mskanban_ws_stat(bytes_in, last - p);

        if (ngx_http_mskanban_ws_process(ws, p, last) != NGX_OK) {
            return;
        }
    }

    total = 0;

    for ( ;; ) {

        n = c->recv(c, ngx_http_mskanban_ws_rbuf,
                    sizeof(ngx_http_mskanban_ws_rbuf));

        if (n == NGX_AGAIN) {
            break;
        }

        if (n == 0 || n == NGX_ERROR) {
            ngx_log_error(NGX_LOG_INFO, c->log, 0,
                          "mskanban: websocket client closed the connection");
            ngx_http_mskanban_ws_abort(ws);
            return;
        }

        ws->last_recv = ngx_current_msec;
        ngx_http_mskanban_ws_stat(bytes_in, n);

        if (ngx_http_mskanban_ws_process(ws, ngx_http_mskanban_ws_rbuf,
                                         ngx_http_mskanban_ws_rbuf + n)
            != NGX_OK)
        {
            return;
        }

        total += n;

        if (total >= NGX_HTTP_MSKANBAN_WS_READ_BUDGET) {

            /* let other connections run; come back after them */

            ngx_post_event(c->read, &ngx_posted_next_events);
            return;
        }

        if (!c->read->ready) {
            break;
        }
    }

    if (ngx_handle_read_event(c->read, 0) != NGX_OK) {
        ngx_http_mskanban_ws_abort(ws);
    }
}


/* parses what was read; NGX_ERROR when the reading has to stop */

static ngx_int_t
ngx_http_mskanban_ws_process(ngx_http_mskanban_ws_t *ws, u_char *p,
    u_char *last)
{
    ngx_int_t                     rc;
    ngx_http_mskanban_ws_event_t  ev;

    while (p < last) {

        rc = ngx_http_mskanban_ws_parse(&ws->parser, &p, last, &ev);

        if (rc == NGX_AGAIN) {
            return NGX_OK;
        }

        if (rc == NGX_ERROR) {
            ngx_log_error(NGX_LOG_INFO, ws->request->connection->log, 0,
                          "mskanban: websocket protocol error, closing "
                          "with %ui", ev.code);
            ngx_http_mskanban_ws_stat(protocol_closed, 1);
            ngx_http_mskanban_ws_fail(ws, ev.code);
            return NGX_ERROR;
        }

        if (ev.type == NGX_HTTP_MSKANBAN_WS_EV_CONTROL) {
            ngx_http_mskanban_ws_control(ws, &ev);

        } else if (ws->state == NGX_HTTP_MSKANBAN_WS_OPEN) {
            if (ngx_http_mskanban_ws_append(ws, &ev) != NGX_OK) {
                return NGX_ERROR;
            }
        }

        if (ws->abort || ws->close_received
            || ws->state == NGX_HTTP_MSKANBAN_WS_DONE)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/* adds a chunk to the message; publishes it when complete */

static ngx_int_t
ngx_http_mskanban_ws_append(ngx_http_mskanban_ws_t *ws,
    ngx_http_mskanban_ws_event_t *ev)
{
    u_char                            *buf;
    size_t                             need, size;
    ngx_int_t                          rc;
    ngx_connection_t                  *c;
    ngx_http_mskanban_ws_main_conf_t  *wmcf;

    need = NGX_HTTP_MSKANBAN_WS_PREFIX_LEN + ws->msg_len + ev->len;

    if (need > ws->msg_size) {

        /* the parser bounds a message by mskanban_ws_max_message */

        size = ngx_max(need, 2 * ws->msg_size);
        size = ngx_max(size, 1024);
        size = ngx_min(size, NGX_HTTP_MSKANBAN_WS_PREFIX_LEN
                             + ws->conf->max_message);

        wmcf = ngx_http_get_module_main_conf(ws->request,
                                             ngx_http_mskanban_ws_module);

        if (ngx_http_mskanban_ws_reassembly - ws->msg_size + size
            > wmcf->reassembly_budget)
        {
            ngx_log_error(NGX_LOG_WARN, ws->request->connection->log, 0,
                          "mskanban: websocket messages being reassembled "
                          "hold %uz bytes on this worker "
                          "(mskanban_ws_reassembly_budget), closing with 1009",
                          ngx_http_mskanban_ws_reassembly);
            ngx_http_mskanban_ws_stat(budget_closed, 1);
            ngx_http_mskanban_ws_close(ws, NGX_HTTP_MSKANBAN_WS_TOO_BIG);
            return NGX_ERROR;
        }

        buf = ngx_alloc(size, ws->request->connection->log);
        if (buf == NULL) {
            ngx_http_mskanban_ws_close(ws, NGX_HTTP_MSKANBAN_WS_INTERNAL);
            return NGX_ERROR;
        }

        if (ws->msg) {
            ngx_memcpy(buf, ws->msg, NGX_HTTP_MSKANBAN_WS_PREFIX_LEN
                                     + ws->msg_len);
            ngx_free(ws->msg);
        }

        ngx_http_mskanban_ws_reassembly += size - ws->msg_size;

        ws->msg = buf;
        ws->msg_size = size;
    }

    if (ev->len) {
        ngx_memcpy(ws->msg + NGX_HTTP_MSKANBAN_WS_PREFIX_LEN + ws->msg_len,
                   ev->data, ev->len);
        ws->msg_len += ev->len;
    }

    c = ws->request->connection;

    if (!ev->last) {

        /* a message in pieces is complete within mskanban_ws_message_timeout */

        if (!c->read->timer_set) {
            ngx_add_timer(c->read, ws->conf->message_timeout);
        }

        return NGX_OK;
    }

    if (c->read->timer_set) {
        ngx_del_timer(c->read);
    }

    ngx_http_mskanban_ws_stat(messages_in, 1);

    if (ws->readonly
        && !ngx_http_mskanban_ws_follows_only(ws->msg
                                              + NGX_HTTP_MSKANBAN_WS_PREFIX_LEN,
                                              ws->msg_len, ev->opcode))
    {
        /* a viewer's change: dropped, the connection stays to follow */

        ngx_http_mskanban_ws_stat(readonly_dropped, 1);
        ngx_http_mskanban_ws_msg_free(ws);
        return NGX_OK;
    }

    rc = ngx_http_mskanban_ws_publish(ws, ws->msg,
                                      NGX_HTTP_MSKANBAN_WS_PREFIX_LEN
                                      + ws->msg_len, ev->opcode);

    /* nothing is kept between messages: an idle connection holds no buffer */

    ngx_http_mskanban_ws_msg_free(ws);

    if (rc != NGX_OK) {
        ngx_http_mskanban_ws_close(ws, NGX_HTTP_MSKANBAN_WS_TRY_AGAIN);
        return NGX_ERROR;
    }

    return NGX_OK;
}


static void
ngx_http_mskanban_ws_msg_free(ngx_http_mskanban_ws_t *ws)
{
    if (ws->msg) {
        ngx_free(ws->msg);
        ngx_http_mskanban_ws_reassembly -= ws->msg_size;
        ws->msg = NULL;
        ws->msg_size = 0;
    }

    ws->msg_len = 0;
}


/*
 * What a read-only (viewer) connection may send: binary messages whose
 * first bytes, the y-protocols message type (and sync step), ask for the
 * document or carry presence, and cannot change the document:
 *
 *     00 00 ...   sync step 1 (a state vector: "send me what I miss")
 *     01 ...      awareness update (presence, cursors)
 *     03 ...      awareness query
 *
 * Sync step 2 (00 01) and updates (00 02) change the document, and
 * anything else (text, auth, unknown types) is not needed to follow, so
 * they are dropped. Clients that seal their messages keep these one or
 * two bytes in clear in front of the sealed message and bind them to it
 * (docs/internals.md, "Relay roles"), so the relay reads the same bytes.
 */

static ngx_uint_t
ngx_http_mskanban_ws_follows_only(u_char *p, size_t len, ngx_uint_t opcode)
{
    if (opcode != NGX_HTTP_MSKANBAN_WS_BINARY || len == 0) {
        return 0;
    }

    switch (p[0]) {

    case 0x00:
        return len >= 2 && p[1] == 0x00;

    case 0x01:
    case 0x03:
        return 1;

    default:
        return 0;
    }
}


static void
ngx_http_mskanban_ws_control(ngx_http_mskanban_ws_t *ws,
    ngx_http_mskanban_ws_event_t *ev)
{
    ngx_uint_t                   code;
    ngx_http_mskanban_ws_msg_t  *msg;

    switch (ev->opcode) {

    case NGX_HTTP_MSKANBAN_WS_PING:

        if (ws->state != NGX_HTTP_MSKANBAN_WS_OPEN) {
            return;
        }

        /* a client that pings without reading the pongs is a slow one */

        if (!ngx_http_mskanban_ws_fits(ws, 2 + ev->len)) {
            ngx_http_mskanban_ws_slow(ws);
            return;
        }

        msg = ngx_http_mskanban_ws_msg_create(NGX_HTTP_MSKANBAN_WS_PONG,
                                              ev->data, ev->len,
                                              ws->request->connection->log);
        if (msg == NULL) {
            ngx_http_mskanban_ws_close(ws, NGX_HTTP_MSKANBAN_WS_INTERNAL);
            return;
        }

        (void) ngx_http_mskanban_ws_queue(ws, msg);
        ngx_http_mskanban_ws_msg_release(msg);
        ngx_http_mskanban_ws_post_flush(ws);

        return;

    case NGX_HTTP_MSKANBAN_WS_CLOSE:

        ws->close_received = 1;

        if (ws->close_sent) {
            /* the handshake is complete */
            ngx_http_mskanban_ws_post_flush(ws);
            return;
        }

        /* echo the code, or nothing when the client sent none */

        code = (ev->code == NGX_HTTP_MSKANBAN_WS_NO_STATUS) ? 0 : ev->code;

        ngx_http_mskanban_ws_close(ws, code);

        return;

    default: /* NGX_HTTP_MSKANBAN_WS_PONG */
        return;
    }
}


/* a protocol error: send the code and close without waiting for a reply */

static void
ngx_http_mskanban_ws_fail(ngx_http_mskanban_ws_t *ws, ngx_uint_t code)
{
    ngx_http_mskanban_ws_close(ws, code);

    ws->close_received = 1;

    ngx_http_mskanban_ws_post_flush(ws);
}


/*
 * Starts the closing handshake: frames not yet started are dropped (the
 * client will resynchronize), a close frame goes out, and the client has
 * mskanban_ws_close_timeout to answer. A code of 0 sends an empty close.
 */

void
ngx_http_mskanban_ws_close(ngx_http_mskanban_ws_t *ws, ngx_uint_t code)
{
    u_char                        payload[2];
    ngx_http_mskanban_ws_out_t   *o, **next;
    ngx_http_mskanban_ws_msg_t   *msg;

    if (ws->state == NGX_HTTP_MSKANBAN_WS_REDEEMING
        || ws->state >= NGX_HTTP_MSKANBAN_WS_CLOSING)
    {
        return;
    }

    ws->state = NGX_HTTP_MSKANBAN_WS_CLOSING;
    ws->close_code = code;

    /* a message in pieces will not be relayed now */

    ngx_http_mskanban_ws_msg_free(ws);

    /* the client has mskanban_ws_close_timeout to answer: finish_ev */

    ngx_add_timer(&ws->finish_ev, ws->conf->close_timeout);

    /* keep only a frame partly written: it must be finished */

    next = &ws->busy;

    if (ws->busy && ws->busy->buf.pos != ws->busy->buf.start) {
        next = &ws->busy->next;
    }

    while (*next) {
        o = *next;
        *next = o->next;

        ws->queued -= o->buf.last - o->buf.pos;
        ws->nqueued--;
        ngx_http_mskanban_ws_msg_release(o->msg);
        o->msg = NULL;

        o->next = ws->free;
        ws->free = o;
    }

    ws->busy_last = next;

    payload[0] = (u_char) (code >> 8);
    payload[1] = (u_char) code;

    msg = ngx_http_mskanban_ws_msg_create(NGX_HTTP_MSKANBAN_WS_CLOSE,
                                          payload, code ? 2 : 0,
                                          ws->request->connection->log);

    if (msg == NULL || ngx_http_mskanban_ws_queue(ws, msg) != NGX_OK) {
        if (msg) {
            ngx_http_mskanban_ws_msg_release(msg);
        }

        ngx_http_mskanban_ws_abort(ws);
        return;
    }

    ngx_http_mskanban_ws_msg_release(msg);

    ws->close_sent = 1;

    /* the client's close frame is read even when the room never started */

    ngx_post_event(ws->request->connection->read, &ngx_posted_events);

    ngx_http_mskanban_ws_post_flush(ws);
}


/*
 * Queues a message from the room. NGX_ERROR means it was not queued: the
 * connection is closing, or it was too slow and is now being closed.
 */

ngx_int_t
ngx_http_mskanban_ws_send(ngx_http_mskanban_ws_t *ws,
    ngx_http_mskanban_ws_msg_t *msg)
{
    if (ws->state != NGX_HTTP_MSKANBAN_WS_OPEN) {
        return NGX_ERROR;
    }

    if (!ngx_http_mskanban_ws_fits(ws, msg->len)) {
        ngx_http_mskanban_ws_slow(ws);
        return NGX_ERROR;
    }

    if (ngx_http_mskanban_ws_queue(ws, msg) != NGX_OK) {
        ngx_http_mskanban_ws_abort(ws);
        return NGX_ERROR;
    }

    ngx_http_mskanban_ws_stat(messages_out, 1);

    ngx_http_mskanban_ws_post_flush(ws);

    return NGX_OK;
}


/*
 * Whether a frame of len bytes may be queued: the frames' bytes and their
 * bookkeeping stay within mskanban_ws_send_buffer, so that many tiny
 * frames cannot grow memory either. One frame always fits an empty queue,
 * so a message up to mskanban_ws_max_message reaches a client that keeps
 * up.
 */

static ngx_uint_t
ngx_http_mskanban_ws_fits(ngx_http_mskanban_ws_t *ws, size_t len)
{
    if (ws->nqueued == 0) {
        return 1;
    }

    return ws->queued + len
           + (ws->nqueued + 1) * sizeof(ngx_http_mskanban_ws_out_t)
           <= ws->conf->send_buffer;
}


static void
ngx_http_mskanban_ws_slow(ngx_http_mskanban_ws_t *ws)
{
    ngx_log_error(NGX_LOG_INFO, ws->request->connection->log, 0,
                  "mskanban: websocket client too slow, %uz bytes in %ui "
                  "frames not yet taken", ws->queued, ws->nqueued);

    ngx_http_mskanban_ws_stat(slow_closed, 1);
    ngx_http_mskanban_ws_close(ws, NGX_HTTP_MSKANBAN_WS_TRY_AGAIN);
}


static ngx_int_t
ngx_http_mskanban_ws_queue(ngx_http_mskanban_ws_t *ws,
    ngx_http_mskanban_ws_msg_t *msg)
{
    ngx_http_mskanban_ws_out_t  *o;

    o = ws->free;

    if (o != NULL) {
        ws->free = o->next;

    } else {
        o = ngx_palloc(ws->request->pool, sizeof(ngx_http_mskanban_ws_out_t));
        if (o == NULL) {
            return NGX_ERROR;
        }
    }

    ngx_memzero(&o->buf, sizeof(ngx_buf_t));

    o->buf.start = msg->data;
    o->buf.pos = msg->data;
    o->buf.last = msg->data + msg->len;
    o->buf.end = o->buf.last;
    o->buf.memory = 1;
    o->buf.tag = (ngx_buf_tag_t) &ngx_http_mskanban_ws_module;

    o->cl.buf = &o->buf;
    o->cl.next = NULL;

    o->msg = msg;
    msg->refs++;

    o->next = NULL;
    *ws->busy_last = o;
    ws->busy_last = &o->next;

    ws->queued += msg->len;
    ws->nqueued++;

    return NGX_OK;
}


/*
 * Writing waits for the write event posted here: frames queued while
 * handling one read or one batch of Redis replies go out together, in
 * one writev(), instead of one system call per frame.
 */

static void
ngx_http_mskanban_ws_post_flush(ngx_http_mskanban_ws_t *ws)
{
    if (ws->abort || ws->state == NGX_HTTP_MSKANBAN_WS_DONE) {
        return;
    }

    ngx_post_event(ws->request->connection->write, &ngx_posted_events);
}


/*
 * Writes what the socket takes. Never ends the request itself: when the
 * connection is finished (close handshake done, or broken) it posts
 * finish_ev, so that this is safe to call from a Redis callback.
 */

static void
ngx_http_mskanban_ws_flush(ngx_http_mskanban_ws_t *ws)
{
    off_t                        sent;
    ngx_int_t                    rc;
    ngx_uint_t                   n;
    ngx_chain_t                 *cl, **ll, *tail;
    ngx_event_t                 *wev;
    ngx_connection_t            *c;
    ngx_http_request_t          *r;
    ngx_http_core_loc_conf_t    *clcf;
    ngx_http_mskanban_ws_out_t  *o;

    if (ws->abort || ws->state == NGX_HTTP_MSKANBAN_WS_DONE) {
        return;
    }

    r = ws->request;
    c = r->connection;
    wev = c->write;
    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    /*
     * the 101 response first: the header filter left it in r->out, where
     * the write filter sends it (the filters above it hold nothing here)
     */

    if (r->out) {

        /* flushed: over TLS, nginx otherwise keeps it in the SSL buffer */

        for (cl = r->out; cl->next; cl = cl->next) { /* void */ }
        cl->buf->flush = 1;

        rc = ngx_http_write_filter(r, NULL);

        if (rc == NGX_ERROR) {
            c->error = 1;
            ngx_http_mskanban_ws_abort(ws);
            return;
        }

        if (r->out) {
            goto wait;
        }
    }

    while (ws->busy && wev->ready) {

        /* a chain of up to 64 frames, written with one writev() */

        ll = &cl;
        n = 0;
        tail = NULL;

        for (o = ws->busy; o && n < 64; o = o->next, n++) {
            o->cl.next = NULL;
            *ll = &o->cl;
            ll = &o->cl.next;
            tail = &o->cl;
        }

        /*
         * over TLS, send_chain() holds bytes in the SSL buffer (16k) until
         * a buffer asks for a flush: the batch's last one does
         */

        if (tail) {
            tail->buf->flush = 1;
        }

        sent = c->sent;

        cl = c->send_chain(c, cl, 0);

        if (cl == NGX_CHAIN_ERROR) {
            c->error = 1;
            ngx_http_mskanban_ws_abort(ws);
            return;
        }

        ngx_http_mskanban_ws_stat(bytes_out, c->sent - sent);

        while (ws->busy && ws->busy->buf.pos == ws->busy->buf.last) {
            o = ws->busy;
            ws->busy = o->next;

            ws->queued -= o->msg->len;
            ws->nqueued--;
            ngx_http_mskanban_ws_msg_release(o->msg);
            o->msg = NULL;

            o->next = ws->free;
            ws->free = o;
        }

        if (ws->busy == NULL) {
            ws->busy_last = &ws->busy;
        }

        if (c->sent == sent) {
            break;
        }

        if (wev->timer_set) {
            ngx_del_timer(wev);
        }
    }

    if (ws->busy == NULL) {

        if (wev->timer_set) {
            ngx_del_timer(wev);
        }

        if (ws->state == NGX_HTTP_MSKANBAN_WS_CLOSING && ws->close_sent
            && ws->close_received)
        {
            ws->state = NGX_HTTP_MSKANBAN_WS_DONE;
            ngx_post_event(&ws->finish_ev, &ngx_posted_events);
            return;
        }

        if (ngx_handle_write_event(wev, 0) != NGX_OK) {
            ngx_http_mskanban_ws_abort(ws);
        }

        return;
    }

wait:

    if (!wev->timer_set) {
        ngx_add_timer(wev, clcf->send_timeout);
    }

    if (ngx_handle_write_event(wev, 0) != NGX_OK) {
        ngx_http_mskanban_ws_abort(ws);
    }
}


static void
ngx_http_mskanban_ws_write_handler(ngx_http_request_t *r)
{
    ngx_connection_t        *c;
    ngx_http_mskanban_ws_t  *ws;

    c = r->connection;
    ws = ngx_http_get_module_ctx(r, ngx_http_mskanban_ws_module);

    if (ws == NULL) {
        return;
    }

    if (c->write->timedout) {
        c->write->timedout = 0;
        c->timedout = 1;

        ngx_log_error(NGX_LOG_INFO, c->log, NGX_ETIMEDOUT,
                      "mskanban: websocket client timed out");

        if (ws->state != NGX_HTTP_MSKANBAN_WS_CLOSING) {
            ngx_http_mskanban_ws_stat(slow_closed, 1);
        }

        ngx_http_mskanban_ws_abort(ws);
        return;
    }

    ngx_http_mskanban_ws_flush(ws);
}


/* once a second, from the worker's tick: pings, idle and close deadlines */

void
ngx_http_mskanban_ws_tick(ngx_http_mskanban_ws_t *ws, ngx_msec_t now)
{
    ngx_http_mskanban_ws_loc_conf_t  *wlcf;

    wlcf = ws->conf;

    switch (ws->state) {

    case NGX_HTTP_MSKANBAN_WS_WAITING:
    case NGX_HTTP_MSKANBAN_WS_OPEN:

        if (ws->has_expiry && (ngx_msec_int_t) (now - ws->expires) >= 0) {
            ngx_log_error(NGX_LOG_INFO, ws->request->connection->log, 0,
                          "mskanban: websocket session expired or "
                          "mskanban_ws_max_duration reached, closing");
            ngx_http_mskanban_ws_stat(expired_closed, 1);
            ngx_http_mskanban_ws_close(ws, NGX_HTTP_MSKANBAN_WS_REAUTH);
            return;
        }

        if ((ngx_msec_int_t) (now - ws->last_recv)
            >= (ngx_msec_int_t) wlcf->idle_timeout)
        {
            ngx_log_error(NGX_LOG_INFO, ws->request->connection->log, 0,
                          "mskanban: websocket idle, closing");
            ngx_http_mskanban_ws_stat(idle_closed, 1);
            ngx_http_mskanban_ws_close(ws, NGX_HTTP_MSKANBAN_WS_GOING_AWAY);
            return;
        }

        if (ws->state == NGX_HTTP_MSKANBAN_WS_OPEN
            && (ngx_msec_int_t) (now - ws->last_recv)
               >= (ngx_msec_int_t) wlcf->ping_interval
            && (ngx_msec_int_t) (now - ws->last_ping)
               >= (ngx_msec_int_t) wlcf->ping_interval
            && ngx_http_mskanban_ws_fits(ws, ngx_http_mskanban_ws_ping.len))
        {
            ws->last_ping = now;

            if (ngx_http_mskanban_ws_queue(ws, &ngx_http_mskanban_ws_ping)
                != NGX_OK)
            {
                ngx_http_mskanban_ws_abort(ws);
                return;
            }

            ngx_http_mskanban_ws_post_flush(ws);
        }

        return;

    default:
        return;
    }
}


/* ends the connection without (more of) a close handshake */

static void
ngx_http_mskanban_ws_abort(ngx_http_mskanban_ws_t *ws)
{
    if (ws->abort) {
        return;
    }

    ws->abort = 1;
    ws->state = NGX_HTTP_MSKANBAN_WS_DONE;

    ngx_post_event(&ws->finish_ev, &ngx_posted_events);
}


static void
ngx_http_mskanban_ws_finish_handler(ngx_event_t *ev)
{
    ngx_connection_t        *c;
    ngx_http_request_t      *r;
    ngx_http_mskanban_ws_t  *ws;

    ws = ev->data;
    r = ws->request;
    c = r->connection;

    if (ev->timedout) {

        /* the close timer: mskanban_ws_close_timeout passed unanswered */

        ev->timedout = 0;

        ngx_log_error(NGX_LOG_INFO, c->log, 0,
                      "mskanban: websocket close handshake timed out");
        ngx_http_mskanban_ws_abort(ws);
        return;
    }

    if (ev->timer_set) {
        ngx_del_timer(ev);
    }

    ngx_http_mskanban_ws_leave(ws);

    if (c->write->timer_set) {
        ngx_del_timer(c->write);
    }

    if (c->read->timer_set) {
        ngx_del_timer(c->read);
    }

    if (ws->abort) {
        ngx_http_finalize_request(r, NGX_HTTP_CLOSE);

    } else {

        /* the close handshake is done: nginx closes, lingering */

        r->lingering_close = 1;
        ngx_http_finalize_request(r, NGX_DONE);
    }

    ngx_http_run_posted_requests(c);
}


/* the request is freed: leave the room, give back every frame */

static void
ngx_http_mskanban_ws_cleanup(void *data)
{
    ngx_http_mskanban_ws_t *ws = data;

    ngx_http_mskanban_ws_out_t  *o;

    if (ws->finish_ev.posted) {
        ngx_delete_posted_event(&ws->finish_ev);
    }

    ngx_http_mskanban_ws_leave(ws);

    for (o = ws->busy; o; o = o->next) {
        ngx_http_mskanban_ws_msg_release(o->msg);
    }

    ws->busy = NULL;
    ws->busy_last = &ws->busy;

    if (ws->finish_ev.timer_set) {
        ngx_del_timer(&ws->finish_ev);
    }

    ngx_http_mskanban_ws_msg_free(ws);

    if (ws->counted) {
        ws->counted = 0;
        ngx_http_mskanban_ws_stat(connections, -1);
    }

    ws->state = NGX_HTTP_MSKANBAN_WS_DONE;
}


/* a server frame in one buffer: header, then payload */

ngx_http_mskanban_ws_msg_t *
ngx_http_mskanban_ws_msg_create(ngx_uint_t opcode, u_char *data, size_t len,
    ngx_log_t *log)
{
    size_t                       hlen;
    u_char                       hdr[NGX_HTTP_MSKANBAN_WS_HEADER_MAX];
    ngx_http_mskanban_ws_msg_t  *msg;

    hlen = ngx_http_mskanban_ws_frame_header(hdr, opcode, len);

    msg = ngx_alloc(sizeof(ngx_http_mskanban_ws_msg_t) + hlen + len, log);
    if (msg == NULL) {
        return NULL;
    }

    ngx_memzero(msg, sizeof(ngx_http_mskanban_ws_msg_t));

    msg->refs = 1;
    msg->len = hlen + len;
    msg->data = (u_char *) msg + sizeof(ngx_http_mskanban_ws_msg_t);

    ngx_memcpy(msg->data, hdr, hlen);

    if (len) {
        ngx_memcpy(msg->data + hlen, data, len);
    }

    return msg;
}


void
ngx_http_mskanban_ws_msg_release(ngx_http_mskanban_ws_msg_t *msg)
{
    if (--msg->refs == 0) {
        ngx_free(msg);
    }
}
