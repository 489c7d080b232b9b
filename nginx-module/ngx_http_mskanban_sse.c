
/*
 * ngx_http_mskanban_sse: the Server-Sent Events transport.
 *
 * The content handler of "mskanban_live": answers the authorization
 * decision (JSON errors), then holds the request open as a
 * text/event-stream and registers a subscriber with fanout. Frames are
 * shared, refcounted messages handed to nginx's output filters without a
 * copy; a message is released once nginx has written it. Bytes handed
 * over but not yet written are capped by mskanban_send_buffer and their
 * age by send_timeout: a client over either is disconnected. Closing is
 * always done from a posted event, never from inside a Redis callback.
 */


#include "ngx_http_mskanban_module.h"


struct ngx_http_mskanban_out_s {
    ngx_http_mskanban_out_t        *next;
    ngx_http_mskanban_msg_t        *msg;
    ngx_buf_t                       buf;
};


static ngx_int_t ngx_http_mskanban_sse_refuse(ngx_http_request_t *r,
    ngx_http_mskanban_ctx_t *ctx);
static ngx_int_t ngx_http_mskanban_sse_last_id(ngx_http_request_t *r,
    ngx_http_mskanban_sub_t *sub);
static ngx_int_t ngx_http_mskanban_sse_headers(ngx_http_request_t *r);
static ngx_int_t ngx_http_mskanban_sse_send(ngx_http_mskanban_sub_t *sub,
    ngx_http_mskanban_msg_t *msg);
static ngx_int_t ngx_http_mskanban_sse_written(ngx_http_mskanban_ctx_t *ctx,
    ngx_int_t rc, ngx_uint_t progress);
static void ngx_http_mskanban_sse_close(ngx_http_mskanban_sub_t *sub,
    ngx_uint_t reason);
static void ngx_http_mskanban_sse_tick(ngx_http_mskanban_sub_t *sub,
    ngx_msec_t now);
static void ngx_http_mskanban_sse_write_handler(ngx_http_request_t *r);
static void ngx_http_mskanban_sse_close_handler(ngx_event_t *ev);
static void ngx_http_mskanban_sse_cleanup(void *data);


static ngx_http_mskanban_transport_t  ngx_http_mskanban_sse_transport = {
    ngx_http_mskanban_sse_send,
    ngx_http_mskanban_sse_close,
    ngx_http_mskanban_sse_tick
};


static u_char  ngx_http_mskanban_heartbeat_frame[] = ":\n\n";

/* never freed: it starts with a reference nobody releases */
static ngx_http_mskanban_msg_t  ngx_http_mskanban_heartbeat = {
    1, { 0, 0 }, sizeof(ngx_http_mskanban_heartbeat_frame) - 1,
    ngx_http_mskanban_heartbeat_frame, 0
};


static const char  *ngx_http_mskanban_close_reasons[] = {
    "error",
    "revoked",
    "redis",
    "slow",
    "shutdown",
    "expired"
};


ngx_int_t
ngx_http_mskanban_sse_handler(ngx_http_request_t *r)
{
    u_char                        *p;
    ngx_int_t                      rc;
    ngx_pool_cleanup_t            *cln;
    ngx_http_mskanban_ctx_t       *ctx;
    ngx_http_mskanban_msg_t       *msg;
    ngx_http_mskanban_sub_t       *sub;
    ngx_http_mskanban_loc_conf_t  *mlcf;
    u_char                         retry[sizeof("retry: \n\n") + NGX_INT_T_LEN];

    ctx = ngx_http_get_module_ctx(r, ngx_http_mskanban_module);

    if (ctx == NULL || !ctx->done) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "mskanban: the board authorization did not run "
                      "(is \"satisfy any\" set for this location?)");
        return ngx_http_mskanban_send_error(r,
                                            NGX_HTTP_INTERNAL_SERVER_ERROR,
                                            "INTERNAL", "internal error");
    }

    if (ctx->status < NGX_HTTP_OK
        || ctx->status >= NGX_HTTP_SPECIAL_RESPONSE)
    {
        return ngx_http_mskanban_sse_refuse(r, ctx);
    }

    if (!ngx_http_mskanban_worker.running
        || ngx_http_mskanban_worker.nsubs
           >= ngx_http_mskanban_worker.mcf->max_subscribers)
    {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "mskanban: live stream refused: %ui streams on this "
                      "worker (mskanban_max_subscribers)",
                      ngx_http_mskanban_worker.nsubs);
        return ngx_http_mskanban_send_error(r,
                                            NGX_HTTP_SERVICE_UNAVAILABLE,
                                            "UNAVAILABLE",
                                            "too many live streams");
    }

    if (ngx_http_discard_request_body(r) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    mlcf = ngx_http_get_module_loc_conf(r, ngx_http_mskanban_module);

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    sub = ngx_http_mskanban_sub_create(&ctx->board, &ctx->id,
                                       &ngx_http_mskanban_sse_transport, ctx,
                                       r->connection->log);
    if (sub == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    cln->handler = ngx_http_mskanban_sse_cleanup;
    cln->data = ctx;

    ctx->sub = sub;
    ctx->busy_last = &ctx->busy;
    ctx->close_ev.handler = ngx_http_mskanban_sse_close_handler;
    ctx->close_ev.data = ctx;
    ctx->close_ev.log = r->connection->log;

    sub->pending_max = mlcf->send_buffer;

    if (ngx_http_mskanban_sse_last_id(r, sub) != NGX_OK) {
        return ngx_http_mskanban_send_error(r, NGX_HTTP_BAD_REQUEST,
                                            "BAD_REQUEST",
                                            "invalid Last-Event-ID");
    }

    rc = ngx_http_mskanban_sse_headers(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    ctx->streaming = 1;
    ctx->last_write = ngx_current_msec;
    ctx->deadline = mlcf->max_duration
                    ? ngx_current_msec + mlcf->max_duration : 0;

    r->read_event_handler = ngx_http_test_reading;
    r->write_event_handler = ngx_http_mskanban_sse_write_handler;
    r->main->count++;

    /* from here on, failures close the stream through sub_close() */

    p = ngx_sprintf(retry, "retry: %M\n\n", mlcf->retry);

    msg = ngx_http_mskanban_msg_raw(retry, p - retry, r->connection->log);
    if (msg == NULL) {
        ngx_http_mskanban_sub_close(sub, NGX_HTTP_MSKANBAN_CLOSE_ERROR);
        return NGX_DONE;
    }

    rc = ngx_http_mskanban_sse_send(sub, msg);

    ngx_http_mskanban_msg_release(msg);

    if (rc != NGX_OK) {
        return NGX_DONE;
    }

    if (ngx_http_mskanban_sub_attach(sub) != NGX_OK) {
        ngx_http_mskanban_sub_close(sub, NGX_HTTP_MSKANBAN_CLOSE_ERROR);
    }

    return NGX_DONE;
}


/* the core said no, or could not be asked */

static ngx_int_t
ngx_http_mskanban_sse_refuse(ngx_http_request_t *r,
    ngx_http_mskanban_ctx_t *ctx)
{
    switch (ctx->status) {

    case NGX_HTTP_UNAUTHORIZED:
        return ngx_http_mskanban_send_error(r, ctx->status, "UNAUTHORIZED",
                                            "authentication required");

    case NGX_HTTP_FORBIDDEN:
        return ngx_http_mskanban_send_error(r, ctx->status, "FORBIDDEN",
                                            "access denied");

    case NGX_HTTP_NOT_FOUND:
        return ngx_http_mskanban_send_error(r, ctx->status, "NOT_FOUND",
                                            "board not found");

    case NGX_HTTP_BAD_REQUEST:
        return ngx_http_mskanban_send_error(r, ctx->status, "BAD_REQUEST",
                                            "bad request");

    case NGX_HTTP_TOO_MANY_REQUESTS:
        return ngx_http_mskanban_send_error(r, ctx->status, "RATE_LIMITED",
                                            "too many requests");

    case NGX_HTTP_NOT_ALLOWED:
        if (ngx_http_mskanban_add_header(r, "Allow", "GET, HEAD") != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_http_mskanban_send_error(r, ctx->status,
                                            "METHOD_NOT_ALLOWED",
                                            "method not allowed");

    default:
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "mskanban: board authorization answered %ui",
                      ctx->status);

        return ngx_http_mskanban_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                            "UNAVAILABLE",
                                            "authorization unavailable");
    }
}


/* Last-Event-ID from the header, or from "lastEventId" in the query */

static ngx_int_t
ngx_http_mskanban_sse_last_id(ngx_http_request_t *r,
    ngx_http_mskanban_sub_t *sub)
{
    ngx_str_t  *h, value;

    h = ngx_http_mskanban_find_header(&r->headers_in.headers,
                                      "Last-Event-ID");

    if (h != NULL) {
        value = *h;

    } else if (ngx_http_arg(r, (u_char *) "lastEventId", 11, &value)
               != NGX_OK)
    {
        return NGX_OK;
    }

    if (value.len == 0) {
        return NGX_OK;
    }

    if (ngx_http_mskanban_sid_parse(value.data, value.len, &sub->last)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    sub->has_last = 1;

    return NGX_OK;
}


static ngx_int_t
ngx_http_mskanban_sse_headers(ngx_http_request_t *r)
{
    r->headers_out.status = NGX_HTTP_OK;
    r->headers_out.content_length_n = -1;
    ngx_str_set(&r->headers_out.content_type, "text/event-stream");
    r->headers_out.content_type_len = r->headers_out.content_type.len;
    r->headers_out.content_type_lowcase = NULL;

    ngx_http_clear_accept_ranges(r);
    ngx_http_clear_last_modified(r);
    ngx_http_clear_etag(r);

    if (ngx_http_mskanban_add_header(r, "Cache-Control", "no-cache, no-store")
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* tells a proxying nginx in front not to buffer the stream */

    if (ngx_http_mskanban_add_header(r, "X-Accel-Buffering", "no") != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_http_send_header(r);
}


/*
 * Queues one frame. Returns NGX_ERROR when the subscriber is (now)
 * closing, NGX_OK otherwise, written or not.
 */

static ngx_int_t
ngx_http_mskanban_sse_send(ngx_http_mskanban_sub_t *sub,
    ngx_http_mskanban_msg_t *msg)
{
    ngx_int_t                 rc;
    ngx_chain_t               out;
    ngx_http_request_t       *r;
    ngx_http_mskanban_out_t  *o;
    ngx_http_mskanban_ctx_t  *ctx;

    ctx = sub->data;

    if (ctx == NULL || ctx->closing) {
        return NGX_ERROR;
    }

    r = ctx->request;

    if (sub->queued + msg->len > sub->pending_max) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "mskanban: client too slow, %uz bytes not yet taken",
                      sub->queued);
        ngx_http_mskanban_sub_close(sub, NGX_HTTP_MSKANBAN_CLOSE_SLOW);
        return NGX_ERROR;
    }

    o = ctx->free;

    if (o != NULL) {
        ctx->free = o->next;

    } else {
        o = ngx_palloc(r->pool, sizeof(ngx_http_mskanban_out_t));
        if (o == NULL) {
            ngx_http_mskanban_sub_close(sub, NGX_HTTP_MSKANBAN_CLOSE_ERROR);
            return NGX_ERROR;
        }
    }

    ngx_memzero(&o->buf, sizeof(ngx_buf_t));

    o->buf.start = msg->data;
    o->buf.pos = msg->data;
    o->buf.last = msg->data + msg->len;
    o->buf.end = o->buf.last;
    o->buf.memory = 1;
    o->buf.flush = 1;
    o->buf.tag = (ngx_buf_tag_t) &ngx_http_mskanban_module;

    o->msg = msg;
    msg->refs++;

    o->next = NULL;
    *ctx->busy_last = o;
    ctx->busy_last = &o->next;

    sub->queued += msg->len;

    out.buf = &o->buf;
    out.next = NULL;

    rc = ngx_http_output_filter(r, &out);

    ctx->last_write = ngx_current_msec;

    return ngx_http_mskanban_sse_written(ctx, rc, 0);
}


/*
 * After nginx wrote what it could: release written frames, arm the send
 * timeout while something waits, resume a replay that waited for room.
 */

static ngx_int_t
ngx_http_mskanban_sse_written(ngx_http_mskanban_ctx_t *ctx, ngx_int_t rc,
    ngx_uint_t progress)
{
    ngx_event_t               *wev;
    ngx_http_request_t        *r;
    ngx_http_mskanban_out_t   *o;
    ngx_http_mskanban_sub_t   *sub;
    ngx_http_core_loc_conf_t  *clcf;

    r = ctx->request;
    sub = ctx->sub;

    while (ctx->busy && ctx->busy->buf.pos == ctx->busy->buf.last) {
        o = ctx->busy;
        ctx->busy = o->next;

        sub->queued -= o->msg->len;
        ngx_http_mskanban_msg_release(o->msg);
        o->msg = NULL;

        o->next = ctx->free;
        ctx->free = o;
    }

    if (ctx->busy == NULL) {
        ctx->busy_last = &ctx->busy;
    }

    if (rc == NGX_ERROR) {
        ngx_http_mskanban_sub_close(sub, NGX_HTTP_MSKANBAN_CLOSE_ERROR);
        return NGX_ERROR;
    }

    wev = r->connection->write;
    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    if (sub->queued) {
        if (progress || !wev->timer_set) {
            ngx_add_timer(wev, clcf->send_timeout);
        }

        if (ngx_handle_write_event(wev, clcf->send_lowat) != NGX_OK) {
            ngx_http_mskanban_sub_close(sub, NGX_HTTP_MSKANBAN_CLOSE_ERROR);
            return NGX_ERROR;
        }

    } else if (wev->timer_set) {
        ngx_del_timer(wev);
    }

    if (sub->replay_wait && sub->queued <= sub->pending_max / 2) {
        ngx_http_mskanban_replay_resume(sub);
    }

    return NGX_OK;
}


static void
ngx_http_mskanban_sse_write_handler(ngx_http_request_t *r)
{
    ngx_int_t                 rc;
    ngx_connection_t         *c;
    ngx_http_mskanban_ctx_t  *ctx;

    c = r->connection;
    ctx = ngx_http_get_module_ctx(r, ngx_http_mskanban_module);

    if (ctx == NULL || ctx->sub == NULL || ctx->closing) {
        return;
    }

    if (c->write->timedout) {
        c->write->timedout = 0;
        c->timedout = 1;

        ngx_log_error(NGX_LOG_INFO, c->log, NGX_ETIMEDOUT,
                      "mskanban: client timed out");

        ngx_http_mskanban_sub_close(ctx->sub, NGX_HTTP_MSKANBAN_CLOSE_SLOW);
        return;
    }

    rc = NGX_OK;

    if (r->out || c->buffered) {
        rc = ngx_http_output_filter(r, NULL);
    }

    (void) ngx_http_mskanban_sse_written(ctx, rc, 1);
}


/* the transport's close(): ends the request from a posted event */

static void
ngx_http_mskanban_sse_close(ngx_http_mskanban_sub_t *sub, ngx_uint_t reason)
{
    ngx_http_mskanban_ctx_t  *ctx;

    ctx = sub->data;

    if (ctx == NULL || ctx->closing) {
        return;
    }

    ctx->closing = 1;
    ctx->close_reason = reason;

    ngx_post_event(&ctx->close_ev, &ngx_posted_events);
}


static void
ngx_http_mskanban_sse_tick(ngx_http_mskanban_sub_t *sub, ngx_msec_t now)
{
    ngx_http_mskanban_ctx_t       *ctx;
    ngx_http_mskanban_loc_conf_t  *mlcf;

    ctx = sub->data;

    if (ctx == NULL || ctx->closing) {
        return;
    }

    if (ctx->deadline && (ngx_msec_int_t) (now - ctx->deadline) >= 0) {
        ngx_http_mskanban_sub_close(sub, NGX_HTTP_MSKANBAN_CLOSE_EXPIRED);
        return;
    }

    mlcf = ngx_http_get_module_loc_conf(ctx->request,
                                        ngx_http_mskanban_module);

    if ((ngx_msec_int_t) (now - ctx->last_write)
        >= (ngx_msec_int_t) mlcf->heartbeat)
    {
        (void) ngx_http_mskanban_sse_send(sub, &ngx_http_mskanban_heartbeat);
    }
}


static void
ngx_http_mskanban_sse_close_handler(ngx_event_t *ev)
{
    ngx_int_t                 rc;
    ngx_uint_t                reason;
    ngx_connection_t         *c;
    ngx_http_request_t       *r;
    ngx_http_mskanban_ctx_t  *ctx;

    ctx = ev->data;
    r = ctx->request;
    c = r->connection;
    reason = ctx->close_reason;

    ngx_log_error(NGX_LOG_INFO, c->log, 0,
                  "mskanban: live stream of board \"%V\" closed: %s",
                  &ctx->board, ngx_http_mskanban_close_reasons[reason]);

    if (reason == NGX_HTTP_MSKANBAN_CLOSE_SLOW
        || reason == NGX_HTTP_MSKANBAN_CLOSE_ERROR)
    {
        ngx_http_finalize_request(r, NGX_ERROR);

    } else {
        rc = ngx_http_send_special(r, NGX_HTTP_LAST);
        ngx_http_finalize_request(r, rc == NGX_ERROR ? NGX_ERROR : NGX_OK);
    }

    ngx_http_run_posted_requests(c);
}


/* the request is freed: give back every message and the subscriber */

static void
ngx_http_mskanban_sse_cleanup(void *data)
{
    ngx_http_mskanban_ctx_t *ctx = data;

    ngx_http_mskanban_out_t  *o;
    ngx_http_mskanban_sub_t  *sub;

    if (ctx->close_ev.posted) {
        ngx_delete_posted_event(&ctx->close_ev);
    }

    for (o = ctx->busy; o; o = o->next) {
        ngx_http_mskanban_msg_release(o->msg);
    }

    ctx->busy = NULL;
    ctx->busy_last = &ctx->busy;

    sub = ctx->sub;

    if (sub != NULL) {
        ctx->sub = NULL;
        ngx_http_mskanban_sub_release(sub);
    }
}
