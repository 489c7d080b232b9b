
/*
 * ngx_http_mskanban_replay: what a reconnecting client missed.
 *
 * With a Last-Event-ID, a subscriber reads the board's bounded stream
 * "mskanban:board:<id>:ticks" after that id (XRANGE with an exclusive
 * start) in pages, on the worker's command connection, before it goes
 * live. The next page is asked for only once the client has taken most of
 * the previous one, so a replay never needs more than
 * mskanban_send_buffer of memory. Its board is already subscribed, so
 * nothing published meanwhile is lost: fanout holds those ticks and drops
 * the ones the replay already sent.
 *
 * The same replay resumes every subscriber after the subscriber
 * connection to Redis was lost (see fanout). One command at most is in
 * flight per subscriber; a reply that comes back after its subscriber was
 * sent back to waiting and started again only restarts the replay. When
 * the command connection drops, the replay waits for it to come back.
 */


#include "ngx_http_mskanban_module.h"


#define NGX_HTTP_MSKANBAN_REPLAY_PAGE  64


static ngx_int_t ngx_http_mskanban_replay_fetch(ngx_http_mskanban_sub_t *sub);
static void ngx_http_mskanban_replay_reply(redisAsyncContext *ac, void *r,
    void *privdata);
static void ngx_http_mskanban_replay_info(redisAsyncContext *ac, void *r,
    void *privdata);
static ngx_int_t ngx_http_mskanban_replay_gap(ngx_http_mskanban_sub_t *sub,
    redisReply *reply);
static ngx_int_t ngx_http_mskanban_replay_entry(ngx_http_mskanban_sub_t *sub,
    redisReply *entry);
static ngx_int_t ngx_http_mskanban_replay_stale(ngx_http_mskanban_sub_t *sub);


/* NGX_ERROR means the subscriber should be closed */

ngx_int_t
ngx_http_mskanban_replay_start(ngx_http_mskanban_sub_t *sub)
{
    return ngx_http_mskanban_replay_fetch(sub) == NGX_ERROR ? NGX_ERROR
                                                             : NGX_OK;
}


/* the transport drained enough of the previous page */

void
ngx_http_mskanban_replay_resume(ngx_http_mskanban_sub_t *sub)
{
    if (!sub->replay_wait
        || sub->state != NGX_HTTP_MSKANBAN_SUB_REPLAYING)
    {
        return;
    }

    sub->replay_wait = 0;

    if (ngx_http_mskanban_replay_fetch(sub) == NGX_ERROR) {
        ngx_http_mskanban_sub_close(sub, NGX_HTTP_MSKANBAN_CLOSE_REDIS);
    }
}


/* the command connection is (again) ready: replays waiting for it go on */

void
ngx_http_mskanban_replay_redis_ready(ngx_http_mskanban_redis_t *rd)
{
    ngx_queue_t                 *q, *next;
    ngx_http_mskanban_sub_t     *sub;
    ngx_http_mskanban_worker_t  *w = &ngx_http_mskanban_worker;

    for (q = ngx_queue_head(&w->all);
         q != ngx_queue_sentinel(&w->all);
         q = next)
    {
        next = ngx_queue_next(q);
        sub = ngx_queue_data(q, ngx_http_mskanban_sub_t, all_link);

        if (sub->queued <= sub->pending_max / 2) {
            ngx_http_mskanban_replay_resume(sub);
        }
    }

    ngx_http_mskanban_revoke_cmd_ready();
}


/*
 * Asks for the next page; NGX_AGAIN when the command connection is down
 * (the replay waits for it), NGX_ERROR when the command cannot be sent.
 */

static ngx_int_t
ngx_http_mskanban_replay_fetch(ngx_http_mskanban_sub_t *sub)
{
    int                 rc;
    u_char              start[2 * NGX_INT64_LEN + 2], *p;
    redisAsyncContext  *ac;

    /* commands queue behind the connection's setup, so "ready" is moot */

    ac = ngx_http_mskanban_worker.cmd.ac;

    if (ac == NULL) {
        ngx_log_error(NGX_LOG_INFO, sub->log, 0,
                      "mskanban: replay waits for redis");
        sub->replay_wait = 1;
        return NGX_AGAIN;
    }

    if (!sub->replay_checked) {

        /* first, whether the stream still holds everything after the id */

        rc = redisAsyncCommand(ac, ngx_http_mskanban_replay_info, sub,
                               "XINFO STREAM " NGX_HTTP_MSKANBAN_BOARD_CHANNEL
                               "%b" NGX_HTTP_MSKANBAN_TICKS_SUFFIX,
                               sub->board_id, sub->board_id_len);
        if (rc != REDIS_OK) {
            return NGX_ERROR;
        }

        sub->refs++;
        sub->replay_inflight = 1;

        return NGX_OK;
    }

    p = ngx_sprintf(start, "(%uL-%uL", sub->last.ms, sub->last.seq);

    rc = redisAsyncCommand(ac, ngx_http_mskanban_replay_reply, sub,
                           "XRANGE " NGX_HTTP_MSKANBAN_BOARD_CHANNEL "%b"
                           NGX_HTTP_MSKANBAN_TICKS_SUFFIX " %b + COUNT %d",
                           sub->board_id, sub->board_id_len,
                           start, (size_t) (p - start),
                           NGX_HTTP_MSKANBAN_REPLAY_PAGE);

    if (rc != REDIS_OK) {
        return NGX_ERROR;
    }

    sub->refs++;
    sub->replay_inflight = 1;

    return NGX_OK;
}


static void
ngx_http_mskanban_replay_reply(redisAsyncContext *ac, void *r, void *privdata)
{
    redisReply               *reply = r;
    ngx_http_mskanban_sub_t  *sub = privdata;

    size_t  i;

    if (ngx_http_mskanban_replay_stale(sub) != NGX_OK) {
        goto done;
    }

    if (reply == NULL) {
        sub->replay_wait = 1;
        goto done;
    }

    if (reply->type != REDIS_REPLY_ARRAY) {

        if (reply && reply->type == REDIS_REPLY_ERROR) {
            ngx_log_error(NGX_LOG_ERR, sub->log, 0,
                          "mskanban: replay failed: %*s",
                          (size_t) reply->len, reply->str);
        }

        ngx_http_mskanban_sub_close(sub, NGX_HTTP_MSKANBAN_CLOSE_REDIS);
        goto done;
    }

    for (i = 0; i < reply->elements; i++) {
        if (ngx_http_mskanban_replay_entry(sub, reply->element[i])
            != NGX_OK)
        {
            goto done;
        }
    }

    if (reply->elements < NGX_HTTP_MSKANBAN_REPLAY_PAGE) {
        ngx_http_mskanban_sub_go_live(sub);
        goto done;
    }

    if (sub->queued > sub->pending_max / 2) {
        sub->replay_wait = 1;
        goto done;
    }

    if (ngx_http_mskanban_replay_fetch(sub) == NGX_ERROR) {
        ngx_http_mskanban_sub_close(sub, NGX_HTTP_MSKANBAN_CLOSE_REDIS);
    }

done:

    ngx_http_mskanban_sub_unref(sub);
}


/*
 * XINFO STREAM: when Redis trimmed (MAXLEN) or lost (a restart without
 * persistence) ticks newer than the client's id, the replay cannot be
 * complete. The client is told with an event "RESYNC" (no id, so its
 * Last-Event-ID stays) and should reload the board; what the stream still
 * holds follows as usual.
 */

static void
ngx_http_mskanban_replay_info(redisAsyncContext *ac, void *r, void *privdata)
{
    redisReply               *reply = r;
    ngx_http_mskanban_sub_t  *sub = privdata;

    ngx_int_t                 rc;
    ngx_http_mskanban_msg_t  *msg;

    static u_char  resync[] = "event: RESYNC\n"
                              "data: {\"reason\":\"history\"}\n\n";

    if (ngx_http_mskanban_replay_stale(sub) != NGX_OK) {
        goto done;
    }

    if (reply == NULL) {
        sub->replay_wait = 1;
        goto done;
    }

    sub->replay_checked = 1;

    if (ngx_http_mskanban_replay_gap(sub, reply) == NGX_OK) {

        ngx_log_error(NGX_LOG_INFO, sub->log, 0,
                      "mskanban: ticks after %uL-%uL are gone, RESYNC",
                      sub->last.ms, sub->last.seq);

        msg = ngx_http_mskanban_msg_raw(resync, sizeof(resync) - 1, sub->log);
        if (msg == NULL) {
            ngx_http_mskanban_sub_close(sub, NGX_HTTP_MSKANBAN_CLOSE_ERROR);
            goto done;
        }

        rc = sub->transport->send(sub, msg);

        ngx_http_mskanban_msg_release(msg);

        if (rc != NGX_OK) {
            goto done;
        }
    }

    if (ngx_http_mskanban_replay_fetch(sub) == NGX_ERROR) {
        ngx_http_mskanban_sub_close(sub, NGX_HTTP_MSKANBAN_CLOSE_REDIS);
    }

done:

    ngx_http_mskanban_sub_unref(sub);
}


/*
 * First thing in a reply callback: NGX_OK when the reply belongs to the
 * subscriber's current replay. A replay started again while this reply
 * was in flight begins now, from the XINFO check.
 */

static ngx_int_t
ngx_http_mskanban_replay_stale(ngx_http_mskanban_sub_t *sub)
{
    sub->replay_inflight = 0;

    if (sub->state != NGX_HTTP_MSKANBAN_SUB_REPLAYING || sub->data == NULL) {
        sub->replay_restart = 0;
        return NGX_DECLINED;
    }

    if (!sub->replay_restart) {
        return NGX_OK;
    }

    sub->replay_restart = 0;
    sub->replay_checked = 0;

    if (ngx_http_mskanban_replay_fetch(sub) == NGX_ERROR) {
        ngx_http_mskanban_sub_close(sub, NGX_HTTP_MSKANBAN_CLOSE_REDIS);
    }

    return NGX_DECLINED;
}


/*
 * NGX_OK when ticks after sub->last may be missing: the stream is gone, or
 * the client's id is older than the first entry the stream still holds
 * (trimmed by MAXLEN; in the rare case that exactly the entries up to it
 * were trimmed the client reloads for nothing), or an entry newer than it
 * was deleted (max-deleted-entry-id, Redis 7).
 */

static ngx_int_t
ngx_http_mskanban_replay_gap(ngx_http_mskanban_sub_t *sub, redisReply *reply)
{
    size_t                   i;
    ngx_str_t                name;
    redisReply              *k, *v;
    ngx_http_mskanban_sid_t  sid;

    if (reply->type == REDIS_REPLY_ERROR) {
        /* "ERR no such key": everything the client may have missed is gone */
        return NGX_OK;
    }

    if (reply->type != REDIS_REPLY_ARRAY) {
        return NGX_DECLINED;
    }

    for (i = 0; i + 1 < reply->elements; i += 2) {
        k = reply->element[i];
        v = reply->element[i + 1];

        if (k->type != REDIS_REPLY_STRING) {
            continue;
        }

        name.data = (u_char *) k->str;
        name.len = k->len;

        if (name.len == sizeof("first-entry") - 1
            && ngx_strncmp(name.data, "first-entry", name.len) == 0)
        {
            if (v->type == REDIS_REPLY_ARRAY && v->elements > 0
                && v->element[0]->type == REDIS_REPLY_STRING
                && ngx_http_mskanban_sid_parse((u_char *) v->element[0]->str,
                                               v->element[0]->len, &sid)
                   == NGX_OK
                && ngx_http_mskanban_sid_cmp(&sub->last, &sid) < 0)
            {
                return NGX_OK;
            }

            continue;
        }

        if (name.len == sizeof("max-deleted-entry-id") - 1
            && ngx_strncmp(name.data, "max-deleted-entry-id", name.len) == 0
            && v->type == REDIS_REPLY_STRING
            && ngx_http_mskanban_sid_parse((u_char *) v->str, v->len, &sid)
               == NGX_OK
            && ngx_http_mskanban_sid_cmp(&sid, &sub->last) > 0)
        {
            return NGX_OK;
        }
    }

    return NGX_DECLINED;
}


/* one [id, [field, value, ...]] entry; NGX_ERROR when the sub closed */

static ngx_int_t
ngx_http_mskanban_replay_entry(ngx_http_mskanban_sub_t *sub,
    redisReply *entry)
{
    ngx_int_t                 rc;
    ngx_str_t                 id, verb, data;
    redisReply               *fields;
    ngx_http_mskanban_sid_t   sid;
    ngx_http_mskanban_msg_t  *msg;

    if (ngx_http_mskanban_xentry(entry, &id, &sid, &fields) != NGX_OK) {
        return NGX_OK;
    }

    ngx_http_mskanban_xfield(fields, "verb", &verb);
    ngx_http_mskanban_xfield(fields, "data", &data);

    /* whatever happens to this entry, the next page starts after it */

    if (ngx_http_mskanban_sid_cmp(&sid, &sub->last) <= 0) {
        return NGX_OK;
    }

    sub->last = sid;

    msg = ngx_http_mskanban_msg_event(&id, &verb, &data, sub->log);
    if (msg == NULL) {
        return NGX_OK;
    }

    rc = sub->transport->send(sub, msg);

    ngx_http_mskanban_msg_release(msg);

    return rc;
}
