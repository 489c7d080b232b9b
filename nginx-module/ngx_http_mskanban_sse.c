
/*
 * ngx_http_mskanban_sse: the Server-Sent Events transport.
 *
 * The content handler of "mskanban_live": answers the authorization
 * decision (JSON errors), then holds the request open as a
 * text/event-stream and registers a subscriber with fanout. Frames are
 * shared, refcounted messages handed to nginx's output filters without a
 * copy; a message is released once nginx has written it.
 *
 * send() only queues: the frames of one event-loop pass go to nginx
 * together, from a posted event, in one chain (one chunk, one writev).
 * While nginx still holds unwritten bytes of the previous batch nothing
 * more is handed over, so nginx's own per-buffer memory (chain links,
 * chunk headers) stays bounded. Every queued frame (events, retry:,
 * comments, heartbeats) counts its bytes plus a fixed per-frame cost
 * (our node, nginx's links, chunk framing) against mskanban_send_buffer;
 * a client over it, or over send_timeout without progress, is
 * disconnected. Closing is always done from a posted event, never from
 * inside a Redis callback.
 *
 * A stream that cannot be served right now (the worker is full, stopping,
 * or the core could not be asked) is answered 200 with only a jittered
 * "retry:" and closed: browsers' EventSource gives up for good on any
 * other status, but reconnects after a stream that ends.
 */


#include "ngx_http_mskanban_module.h"


struct ngx_http_mskanban_out_s {
    ngx_http_mskanban_out_t        *next;
    ngx_http_mskanban_msg_t        *msg;
    size_t                          cost;      /* counted in sub->queued */
    ngx_chain_t                     cl;
    ngx_buf_t                       buf;
};


/*
 * What one queued frame costs beyond its bytes: our node, the chain
 * links nginx's filters make for it, and chunked framing.
 */
#define NGX_HTTP_MSKANBAN_OUT_COST                                          \
    (sizeof(ngx_http_mskanban_out_t) + 2 * sizeof(ngx_chain_t)              \
     + sizeof("0000000000000000" CRLF CRLF))


static ngx_int_t ngx_http_mskanban_sse_refuse(ngx_http_request_t *r,
    ngx_http_mskanban_ctx_t *ctx);
static ngx_int_t ngx_http_mskanban_sse_retry_later(ngx_http_request_t *r,
    const char *why);
static ngx_int_t ngx_http_mskanban_sse_last_id(ngx_http_request_t *r,
    ngx_http_mskanban_sub_t *sub);
static ngx_int_t ngx_http_mskanban_sse_headers(ngx_http_request_t *r);
static ngx_int_t ngx_http_mskanban_sse_send(ngx_http_mskanban_sub_t *sub,
    ngx_http_mskanban_msg_t *msg);
static void ngx_http_mskanban_sse_flush(ngx_http_mskanban_ctx_t *ctx,
    ngx_uint_t progress);
static ngx_int_t ngx_http_mskanban_sse_written(ngx_http_mskanban_ctx_t *ctx,
    ngx_int_t rc, ngx_uint_t progress);
static void ngx_http_mskanban_sse_flush_handler(ngx_event_t *ev);
static void ngx_http_mskanban_sse_release(ngx_http_mskanban_ctx_t *ctx);
static void ngx_http_mskanban_sse_close(ngx_http_mskanban_sub_t *sub,
    ngx_uint_t reason);
static void ngx_http_mskanban_sse_tick(ngx_http_mskanban_sub_t *sub,
    ngx_msec_t now);
static ngx_msec_t ngx_http_mskanban_sse_retry(ngx_http_mskanban_sub_t *sub);
static void ngx_http_mskanban_sse_write_handler(ngx_http_request_t *r);
static void ngx_http_mskanban_sse_close_handler(ngx_event_t *ev);
static void ngx_http_mskanban_sse_cleanup(void *data);


static ngx_http_mskanban_transport_t  ngx_http_mskanban_sse_transport = {
    ngx_http_mskanban_sse_send,
    ngx_http_mskanban_sse_close,
    ngx_http_mskanban_sse_tick,
    ngx_http_mskanban_sse_retry
};


static u_char  ngx_http_mskanban_heartbeat_frame[] = ":\n\n";

/* never freed: it starts with a reference nobody releases */
static ngx_http_mskanban_msg_t  ngx_http_mskanban_heartbeat = {
    1, { 0, 0 }, 0, sizeof(ngx_http_mskanban_heartbeat_frame) - 1,
    ngx_http_mskanban_heartbeat_frame, 0, 0
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

    if (!ngx_http_mskanban_worker.running || ngx_exiting || ngx_quit) {
        return ngx_http_mskanban_sse_retry_later(r, "worker stopping");
    }

    if (ngx_http_mskanban_worker.nsubs
        >= ngx_http_mskanban_worker.mcf->max_subscribers)
    {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "mskanban: live stream refused: %ui streams on this "
                      "worker (mskanban_max_subscribers)",
                      ngx_http_mskanban_worker.nsubs);
        return ngx_http_mskanban_sse_retry_later(r, "too many live streams");
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
    ctx->queue_last = &ctx->queue;
    ctx->busy_last = &ctx->busy;
    ctx->flush_ev.handler = ngx_http_mskanban_sse_flush_handler;
    ctx->flush_ev.data = ctx;
    ctx->flush_ev.log = r->connection->log;
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

        return ngx_http_mskanban_sse_retry_later(r,
                                                 "authorization unavailable");
    }
}


/*
 * A temporary refusal: 200, a "retry:" of mskanban_retry plus up to as
 * much again at random (so that refused clients do not come back in
 * step), a comment saying why, and the end of the response.
 */

static ngx_int_t
ngx_http_mskanban_sse_retry_later(ngx_http_request_t *r, const char *why)
{
    u_char                        *p;
    ngx_int_t                      rc;
    ngx_buf_t                     *b;
    ngx_chain_t                    out;
    ngx_msec_t                     retry;
    ngx_http_mskanban_loc_conf_t  *mlcf;

    if (ngx_http_discard_request_body(r) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    mlcf = ngx_http_get_module_loc_conf(r, ngx_http_mskanban_module);

    retry = mlcf->retry + (ngx_msec_t) ngx_random() % (mlcf->retry + 1);

    b = ngx_create_temp_buf(r->pool, sizeof("retry: \n: \n\n")
                                     + NGX_INT_T_LEN + ngx_strlen(why));
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = ngx_sprintf(b->last, "retry: %M\n: %s\n\n", retry, why);
    b->last = p;
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "mskanban: live stream deferred (%s), retry in %M ms",
                  why, retry);

    rc = ngx_http_mskanban_sse_headers(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
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
 * Queues one frame; the queue goes to nginx from the posted flush event.
 * Returns NGX_ERROR when the subscriber is (now) closing, NGX_OK
 * otherwise.
 */

static ngx_int_t
ngx_http_mskanban_sse_send(ngx_http_mskanban_sub_t *sub,
    ngx_http_mskanban_msg_t *msg)
{
    size_t                    cost;
    ngx_http_request_t       *r;
    ngx_http_mskanban_out_t  *o;
    ngx_http_mskanban_ctx_t  *ctx;

    ctx = sub->data;

    if (ctx == NULL || ctx->closing) {
        return NGX_ERROR;
    }

    r = ctx->request;
    cost = msg->len + NGX_HTTP_MSKANBAN_OUT_COST;

    if (sub->queued + cost > sub->pending_max && ctx->queue
        && ctx->busy == NULL)
    {
        /*
         * A burst fills the queue within one pass while the client may
         * well be reading: write now rather than count it against the cap.
         */

        ngx_http_mskanban_sse_flush(ctx, 0);

        if (ctx->closing) {
            return NGX_ERROR;
        }
    }

    if (sub->queued + cost > sub->pending_max) {
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
    o->buf.tag = (ngx_buf_tag_t) &ngx_http_mskanban_module;

    o->msg = msg;
    msg->refs++;
    o->cost = cost;

    o->next = NULL;
    *ctx->queue_last = o;
    ctx->queue_last = &o->next;

    sub->queued += cost;

    if (!ctx->flush_ev.posted) {
        ngx_post_event(&ctx->flush_ev, &ngx_posted_events);
    }

    return NGX_OK;
}


static void
ngx_http_mskanban_sse_flush_handler(ngx_event_t *ev)
{
    ngx_http_mskanban_ctx_t  *ctx = ev->data;

    ngx_connection_t  *c;

    if (ctx->closing || ctx->sub == NULL) {
        return;
    }

    c = ctx->request->connection;

    ngx_http_mskanban_sse_flush(ctx, 0);

    ngx_http_run_posted_requests(c);
}


/*
 * Pushes what nginx holds, then, once every frame handed over before is
 * written, hands it the whole queue as one chain ending in a flush (which
 * also sends the response header, held by nginx until then).
 */

static void
ngx_http_mskanban_sse_flush(ngx_http_mskanban_ctx_t *ctx,
    ngx_uint_t progress)
{
    ngx_int_t                 rc;
    ngx_connection_t         *c;
    ngx_http_request_t       *r;
    ngx_http_mskanban_out_t  *o, *last;

    r = ctx->request;
    c = r->connection;

    rc = NGX_OK;

    if (ctx->busy && (r->out || c->buffered)) {
        rc = ngx_http_output_filter(r, NULL);
        ngx_http_mskanban_sse_release(ctx);
    }

    if (rc != NGX_ERROR && ctx->queue && ctx->busy == NULL) {

        last = NULL;

        for (o = ctx->queue; o; o = o->next) {
            o->cl.buf = &o->buf;
            o->cl.next = o->next ? &o->next->cl : NULL;
            last = o;
        }

        last->buf.flush = 1;

        o = ctx->queue;

        *ctx->busy_last = o;
        ctx->busy_last = ctx->queue_last;

        ctx->queue = NULL;
        ctx->queue_last = &ctx->queue;

        rc = ngx_http_output_filter(r, &o->cl);

        ctx->last_write = ngx_current_msec;
    }

    (void) ngx_http_mskanban_sse_written(ctx, rc, progress);
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
    ngx_http_mskanban_sub_t   *sub;
    ngx_http_core_loc_conf_t  *clcf;

    r = ctx->request;
    sub = ctx->sub;

    ngx_http_mskanban_sse_release(ctx);

    if (rc == NGX_ERROR) {
        ngx_http_mskanban_sub_close(sub, NGX_HTTP_MSKANBAN_CLOSE_ERROR);
        return NGX_ERROR;
    }

    wev = r->connection->write;
    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    if (ctx->busy) {
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


/* gives back the frames nginx has written */

static void
ngx_http_mskanban_sse_release(ngx_http_mskanban_ctx_t *ctx)
{
    ngx_http_mskanban_out_t  *o;

    while (ctx->busy && ctx->busy->buf.pos == ctx->busy->buf.last) {
        o = ctx->busy;
        ctx->busy = o->next;

        ctx->sub->queued -= o->cost;
        ngx_http_mskanban_msg_release(o->msg);
        o->msg = NULL;

        o->next = ctx->free;
        ctx->free = o;
    }

    if (ctx->busy == NULL) {
        ctx->busy_last = &ctx->busy;
    }
}


static void
ngx_http_mskanban_sse_write_handler(ngx_http_request_t *r)
{
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

    ngx_http_mskanban_sse_flush(ctx, 1);
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


static ngx_msec_t
ngx_http_mskanban_sse_retry(ngx_http_mskanban_sub_t *sub)
{
    ngx_http_mskanban_ctx_t       *ctx;
    ngx_http_mskanban_loc_conf_t  *mlcf;

    ctx = sub->data;

    if (ctx == NULL) {
        return 0;
    }

    mlcf = ngx_http_get_module_loc_conf(ctx->request,
                                        ngx_http_mskanban_module);

    return mlcf->retry;
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
        /* what was queued before the close (a last "retry:") goes first */
        if (ctx->sub && ctx->queue) {
            ngx_http_mskanban_sse_flush(ctx, 0);
        }

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

    if (ctx->flush_ev.posted) {
        ngx_delete_posted_event(&ctx->flush_ev);
    }

    for (o = ctx->busy; o; o = o->next) {
        ngx_http_mskanban_msg_release(o->msg);
    }

    for (o = ctx->queue; o; o = o->next) {
        ngx_http_mskanban_msg_release(o->msg);
    }

    ctx->busy = NULL;
    ctx->busy_last = &ctx->busy;
    ctx->queue = NULL;
    ctx->queue_last = &ctx->queue;

    sub = ctx->sub;

    if (sub != NULL) {
        ctx->sub = NULL;
        ngx_http_mskanban_sub_release(sub);
    }
}
