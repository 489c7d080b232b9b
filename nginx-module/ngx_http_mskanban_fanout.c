
/*
 * ngx_http_mskanban_fanout: the board stream channel kind, per worker.
 *
 * A board's channel "mskanban:board:<id>" (in the worker's channel table,
 * ngx_http_mskanban_channel.c) is subscribed while the board has local
 * subscribers; each published tick is encoded once and queued to every
 * local subscriber through its transport (SSE).
 *
 * A subscriber starts once its board's subscription is confirmed: with a
 * Last-Event-ID it replays from the board stream first (live ticks are
 * held meanwhile and those already replayed are dropped), otherwise it
 * goes live at once.
 *
 * When the Redis connection drops, nobody is closed: every subscriber
 * goes back to waiting with the id of the last tick it was sent, and once
 * its board is subscribed again it replays from there (the board stream
 * holds what was published meanwhile), so nothing is missed or sent
 * twice and no client reconnects. A subscriber that had not been sent any
 * tick resumes from the last id its board saw, or the stream's end when
 * the board was subscribed (asked once per subscription); if neither is
 * known it gets RESYNC. A replay that cannot be complete sends RESYNC.
 * Revocations published while the connection was down are read back from
 * the revocation log (ngx_http_mskanban_revoke.c); only when the log
 * cannot cover the gap is each stream closed (with a jittered "retry:",
 * its client comes back with Last-Event-ID and is authorized again) at a
 * random moment within mskanban_redis_loss_recheck.
 *
 * A worker that is shutting down closes its streams spread over
 * NGX_HTTP_MSKANBAN_SPREAD ms, each with a jittered "retry:", so that
 * clients come back to the new workers gradually.
 */


#include "ngx_http_mskanban_module.h"


#define NGX_HTTP_MSKANBAN_SPREAD               5000


static void ngx_http_mskanban_board_subscribed(
    ngx_http_mskanban_channel_t *ch, ngx_int_t n);
static void ngx_http_mskanban_board_start(ngx_http_mskanban_channel_t *ch,
    ngx_queue_t *member);
static ngx_http_mskanban_msg_t *ngx_http_mskanban_board_decode(
    ngx_http_mskanban_channel_t *ch, u_char *p, size_t len);
static void ngx_http_mskanban_board_deliver(ngx_queue_t *member,
    ngx_http_mskanban_msg_t *msg);
static void ngx_http_mskanban_board_lost(ngx_http_mskanban_channel_t *ch);
static void ngx_http_mskanban_sub_start(ngx_http_mskanban_sub_t *sub);
static void ngx_http_mskanban_sub_deliver(ngx_http_mskanban_sub_t *sub,
    ngx_http_mskanban_msg_t *msg);
static void ngx_http_mskanban_sub_drop_pending(ngx_http_mskanban_sub_t *sub);
static void ngx_http_mskanban_pending_free(ngx_http_mskanban_pending_t *p);
static void ngx_http_mskanban_board_ask_end(ngx_http_mskanban_channel_t *ch);
static void ngx_http_mskanban_board_end(redisAsyncContext *ac, void *r,
    void *privdata);
static void ngx_http_mskanban_sub_retry_close(ngx_http_mskanban_sub_t *sub,
    ngx_uint_t reason);


ngx_http_mskanban_kind_t  ngx_http_mskanban_board_kind = {
    ngx_string(NGX_HTTP_MSKANBAN_BOARD_CHANNEL),
    NGX_HTTP_MSKANBAN_ID_MAX,
    ngx_http_mskanban_board_subscribed,
    ngx_http_mskanban_board_start,
    ngx_http_mskanban_board_decode,
    ngx_http_mskanban_board_deliver,
    ngx_http_mskanban_board_lost
};


/* what Redis loss left waiting, for one log line (see boards_lost) */
static ngx_uint_t  ngx_http_mskanban_lost_waiting;
static ngx_uint_t  ngx_http_mskanban_lost_blind;


/*
 * Creates a subscriber for a board; the identity strings are copied. The
 * caller owns one reference and gives it back with sub_release().
 */

ngx_http_mskanban_sub_t *
ngx_http_mskanban_sub_create(ngx_str_t *board,
    ngx_http_mskanban_identity_t *id, ngx_http_mskanban_transport_t *tr,
    void *data, ngx_log_t *log)
{
    u_char                   *p;
    ngx_http_mskanban_sub_t  *sub;

    if (board->len > NGX_HTTP_MSKANBAN_ID_MAX) {
        return NULL;
    }

    sub = ngx_alloc(sizeof(ngx_http_mskanban_sub_t) + id->user.len
                    + id->session.len + id->workspace.len, log);
    if (sub == NULL) {
        return NULL;
    }

    ngx_memzero(sub, sizeof(ngx_http_mskanban_sub_t));

    p = (u_char *) sub + sizeof(ngx_http_mskanban_sub_t);

    sub->id.user.data = p;
    sub->id.user.len = id->user.len;
    p = ngx_cpymem(p, id->user.data, id->user.len);

    sub->id.session.data = p;
    sub->id.session.len = id->session.len;
    p = ngx_cpymem(p, id->session.data, id->session.len);

    sub->id.workspace.data = p;
    sub->id.workspace.len = id->workspace.len;
    ngx_memcpy(p, id->workspace.data, id->workspace.len);

    ngx_memcpy(sub->board_id, board->data, board->len);
    sub->board_id_len = board->len;

    sub->transport = tr;
    sub->data = data;
    sub->log = log;
    sub->refs = 1;
    sub->jitter = (ngx_uint_t) ngx_random();
    sub->state = NGX_HTTP_MSKANBAN_SUB_WAITING;
    sub->pending_last = &sub->pending;

    return sub;
}


/*
 * Adds the subscriber to its board. Returns NGX_DECLINED at the worker's
 * mskanban_max_subscribers, NGX_ERROR when out of memory or stopping.
 * The subscriber may receive its first events before this returns.
 */

ngx_int_t
ngx_http_mskanban_sub_attach(ngx_http_mskanban_sub_t *sub)
{
    ngx_http_mskanban_channel_t  *ch;
    ngx_http_mskanban_worker_t   *w = &ngx_http_mskanban_worker;

    if (!w->running || sub->attached) {
        return NGX_ERROR;
    }

    if (w->nsubs >= w->mcf->max_subscribers) {
        return NGX_DECLINED;
    }

    ch = ngx_http_mskanban_channel_join(&ngx_http_mskanban_board_kind,
                                        sub->board_id, sub->board_id_len,
                                        &sub->board_link);
    if (ch == NULL) {
        return NGX_ERROR;
    }

    ngx_queue_insert_tail(&w->all, &sub->all_link);
    w->nsubs++;

    sub->board = ch;
    sub->attached = 1;

    ngx_http_mskanban_channel_start(ch, &sub->board_link);

    return NGX_OK;
}


/* removes the subscriber from its board; safe to call twice */

void
ngx_http_mskanban_sub_detach(ngx_http_mskanban_sub_t *sub)
{
    ngx_http_mskanban_channel_t  *ch;
    ngx_http_mskanban_worker_t   *w = &ngx_http_mskanban_worker;

    if (!sub->attached) {
        return;
    }

    sub->attached = 0;

    ch = sub->board;
    sub->board = NULL;

    ngx_queue_remove(&sub->all_link);
    w->nsubs--;

    ngx_http_mskanban_channel_leave(ch, &sub->board_link);
}


/*
 * Closes a subscriber for a reason: it stops receiving at once and its
 * transport ends the client connection from its own event.
 */

void
ngx_http_mskanban_sub_close(ngx_http_mskanban_sub_t *sub, ngx_uint_t reason)
{
    if (sub->state == NGX_HTTP_MSKANBAN_SUB_CLOSED) {
        return;
    }

    sub->state = NGX_HTTP_MSKANBAN_SUB_CLOSED;

    ngx_http_mskanban_sub_drop_pending(sub);
    ngx_http_mskanban_sub_detach(sub);

    if (sub->data) {
        sub->transport->close(sub, reason);
    }
}


/* the transport is gone: forget it and drop the owner's reference */

void
ngx_http_mskanban_sub_release(ngx_http_mskanban_sub_t *sub)
{
    sub->data = NULL;
    sub->state = NGX_HTTP_MSKANBAN_SUB_CLOSED;

    ngx_http_mskanban_sub_drop_pending(sub);
    ngx_http_mskanban_sub_detach(sub);
    ngx_http_mskanban_sub_unref(sub);
}


void
ngx_http_mskanban_sub_unref(ngx_http_mskanban_sub_t *sub)
{
    if (--sub->refs == 0) {
        ngx_http_mskanban_sub_drop_pending(sub);
        ngx_free(sub);
    }
}


/*
 * The replay is complete: live ticks up to the last replayed id are
 * duplicates; the ones held during the replay go out now, in order.
 */

void
ngx_http_mskanban_sub_go_live(ngx_http_mskanban_sub_t *sub)
{
    ngx_http_mskanban_msg_t      *msg;
    ngx_http_mskanban_pending_t  *p, *next;

    if (sub->state != NGX_HTTP_MSKANBAN_SUB_REPLAYING) {
        return;
    }

    sub->state = NGX_HTTP_MSKANBAN_SUB_LIVE;
    sub->seam = sub->last;
    sub->has_seam = sub->has_last;

    p = sub->pending;
    sub->pending = NULL;
    sub->pending_last = &sub->pending;
    sub->pending_bytes = 0;

    for ( /* void */ ; p; p = next) {
        next = p->next;
        msg = p->msg;
        ngx_free(p);

        if (sub->state == NGX_HTTP_MSKANBAN_SUB_LIVE) {
            ngx_http_mskanban_sub_deliver(sub, msg);
        }

        ngx_http_mskanban_msg_release(msg);
    }
}


static void
ngx_http_mskanban_sub_start(ngx_http_mskanban_sub_t *sub)
{
    ngx_int_t                 rc;
    ngx_http_mskanban_msg_t  *msg;

    static u_char  resync[] = "event: RESYNC\n"
                              "data: {\"reason\":\"redis\"}\n\n";

    if (sub->state != NGX_HTTP_MSKANBAN_SUB_WAITING) {
        return;
    }

    if (sub->resync) {

        /* resumed after Redis was lost, without a known position */

        sub->resync = 0;

        msg = ngx_http_mskanban_msg_raw(resync, sizeof(resync) - 1, sub->log);
        if (msg == NULL) {
            ngx_http_mskanban_sub_close(sub, NGX_HTTP_MSKANBAN_CLOSE_ERROR);
            return;
        }

        rc = sub->transport->send(sub, msg);

        ngx_http_mskanban_msg_release(msg);

        if (rc != NGX_OK) {
            return;
        }
    }

    if (!sub->has_last) {
        sub->state = NGX_HTTP_MSKANBAN_SUB_LIVE;
        return;
    }

    sub->state = NGX_HTTP_MSKANBAN_SUB_REPLAYING;

    if (sub->replay_inflight) {
        /* a reply from before Redis was lost: it starts the replay anew */
        sub->replay_restart = 1;
        return;
    }

    if (ngx_http_mskanban_replay_start(sub) != NGX_OK) {
        ngx_http_mskanban_sub_close(sub, NGX_HTTP_MSKANBAN_CLOSE_REDIS);
    }
}


static void
ngx_http_mskanban_sub_deliver(ngx_http_mskanban_sub_t *sub,
    ngx_http_mskanban_msg_t *msg)
{
    ngx_http_mskanban_pending_t  *p;

    switch (sub->state) {

    case NGX_HTTP_MSKANBAN_SUB_REPLAYING:

        if (sub->pending_bytes + msg->len > sub->pending_max) {
            ngx_log_error(NGX_LOG_INFO, sub->log, 0,
                          "mskanban: too many ticks during replay");
            ngx_http_mskanban_sub_close(sub, NGX_HTTP_MSKANBAN_CLOSE_SLOW);
            return;
        }

        p = ngx_alloc(sizeof(ngx_http_mskanban_pending_t), sub->log);
        if (p == NULL) {
            ngx_http_mskanban_sub_close(sub, NGX_HTTP_MSKANBAN_CLOSE_ERROR);
            return;
        }

        p->next = NULL;
        p->msg = msg;
        msg->refs++;

        *sub->pending_last = p;
        sub->pending_last = &p->next;
        sub->pending_bytes += msg->len;

        return;

    case NGX_HTTP_MSKANBAN_SUB_LIVE:

        if (sub->has_seam
            && ngx_http_mskanban_sid_cmp(&msg->sid, &sub->seam) <= 0)
        {
            return;
        }

        if (sub->transport->send(sub, msg) == NGX_OK) {
            sub->last = msg->sid;
            sub->has_last = 1;
        }

        return;

    default:
        return;
    }
}


static void
ngx_http_mskanban_sub_drop_pending(ngx_http_mskanban_sub_t *sub)
{
    ngx_http_mskanban_pending_free(sub->pending);

    sub->pending = NULL;
    sub->pending_last = &sub->pending;
    sub->pending_bytes = 0;
}


/* the worker ends: streams still open go, their requests too */

void
ngx_http_mskanban_boards_close(void)
{
    ngx_queue_t                 *q;
    ngx_http_mskanban_sub_t     *sub;
    ngx_http_mskanban_worker_t  *w = &ngx_http_mskanban_worker;

    while (!ngx_queue_empty(&w->all)) {
        q = ngx_queue_head(&w->all);
        sub = ngx_queue_data(q, ngx_http_mskanban_sub_t, all_link);
        ngx_http_mskanban_sub_close(sub, NGX_HTTP_MSKANBAN_CLOSE_SHUTDOWN);
    }
}


/*
 * Once a second (the worker's tick): transports send heartbeats and
 * enforce deadlines. When the worker is shutting down gracefully, each
 * stream is closed at its own moment within NGX_HTTP_MSKANBAN_SPREAD, so
 * that clients reconnect to the new workers gradually.
 */

void
ngx_http_mskanban_subs_tick(ngx_msec_t now)
{
    ngx_msec_t                   spent;
    ngx_queue_t                 *q, *next;
    ngx_http_mskanban_sub_t     *sub;
    ngx_http_mskanban_worker_t  *w = &ngx_http_mskanban_worker;

    if ((ngx_exiting || ngx_quit) && !w->exiting) {
        w->exiting = 1;
        w->exit_start = now;
    }

    spent = now - w->exit_start;

    for (q = ngx_queue_head(&w->all);
         q != ngx_queue_sentinel(&w->all);
         q = next)
    {
        next = ngx_queue_next(q);
        sub = ngx_queue_data(q, ngx_http_mskanban_sub_t, all_link);

        if (w->exiting
            && (spent >= NGX_HTTP_MSKANBAN_SPREAD
                || sub->jitter % NGX_HTTP_MSKANBAN_SPREAD <= spent))
        {
            ngx_http_mskanban_sub_retry_close(sub,
                                             NGX_HTTP_MSKANBAN_CLOSE_SHUTDOWN);

        } else if (sub->recheck
                   && (ngx_msec_int_t) (now - sub->recheck) >= 0)
        {
            ngx_http_mskanban_sub_retry_close(sub,
                                             NGX_HTTP_MSKANBAN_CLOSE_EXPIRED);

        } else if (sub->data) {
            sub->transport->tick(sub, now);
        }
    }
}


/*
 * The subscriber connection dropped (ngx_http_mskanban_channel.c): hiredis
 * already forgot every subscription. Subscribers are kept: each goes back
 * to waiting with its position and replays from it once its board is
 * subscribed again.
 */

static void
ngx_http_mskanban_board_lost(ngx_http_mskanban_channel_t *ch)
{
    ngx_queue_t              *q;
    ngx_http_mskanban_sub_t  *sub;

    for (q = ngx_queue_head(&ch->members);
         q != ngx_queue_sentinel(&ch->members);
         q = ngx_queue_next(q))
    {
        sub = ngx_queue_data(q, ngx_http_mskanban_sub_t, board_link);

        if (sub->state != NGX_HTTP_MSKANBAN_SUB_LIVE
            && sub->state != NGX_HTTP_MSKANBAN_SUB_REPLAYING)
        {
            continue;
        }

        /* held live ticks are in the stream: the replay sends them */
        ngx_http_mskanban_sub_drop_pending(sub);

        if (!sub->has_last) {
            if (ch->has_last) {
                sub->last = ch->last;
                sub->has_last = 1;

            } else {
                sub->resync = 1;
                ngx_http_mskanban_lost_blind++;
            }
        }

        sub->state = NGX_HTTP_MSKANBAN_SUB_WAITING;
        sub->replay_wait = 0;
        sub->replay_checked = 0;
        sub->has_seam = 0;
        ngx_http_mskanban_lost_waiting++;
    }

    ch->has_last = 0;
}


/* after every channel's lost(): one line for the operator */

void
ngx_http_mskanban_boards_lost(void)
{
    if (ngx_http_mskanban_worker.nsubs == 0) {
        return;
    }

    ngx_log_error(NGX_LOG_WARN, ngx_cycle->log, 0,
                  "mskanban: %ui live streams wait for redis to resume "
                  "(%ui without a position will get RESYNC)",
                  ngx_http_mskanban_lost_waiting,
                  ngx_http_mskanban_lost_blind);

    ngx_http_mskanban_lost_waiting = 0;
    ngx_http_mskanban_lost_blind = 0;
}


/* the board is subscribed: what its stream ends with is asked once */

static void
ngx_http_mskanban_board_subscribed(ngx_http_mskanban_channel_t *ch,
    ngx_int_t n)
{
    if (n > 0) {
        ch->has_last = 0;
        ngx_http_mskanban_board_ask_end(ch);
    }
}


static void
ngx_http_mskanban_board_start(ngx_http_mskanban_channel_t *ch,
    ngx_queue_t *member)
{
    ngx_http_mskanban_sub_start(ngx_queue_data(member,
                                               ngx_http_mskanban_sub_t,
                                               board_link));
}


/* a tick: encoded once as an SSE event, the newest id noted */

static ngx_http_mskanban_msg_t *
ngx_http_mskanban_board_decode(ngx_http_mskanban_channel_t *ch, u_char *p,
    size_t len)
{
    ngx_http_mskanban_msg_t  *msg;

    msg = ngx_http_mskanban_msg_parse(p, len, ngx_cycle->log);

    if (msg != NULL && msg->has_sid) {
        ngx_http_mskanban_channel_saw(ch, &msg->sid);
    }

    return msg;
}


static void
ngx_http_mskanban_board_deliver(ngx_queue_t *member,
    ngx_http_mskanban_msg_t *msg)
{
    ngx_http_mskanban_sub_deliver(ngx_queue_data(member,
                                                 ngx_http_mskanban_sub_t,
                                                 board_link),
                                  msg);
}


/*
 * The board stream's newest id when the board is subscribed: a subscriber
 * that gets no tick before Redis is lost resumes from there.
 */

static void
ngx_http_mskanban_board_ask_end(ngx_http_mskanban_channel_t *ch)
{
    int                  rc;
    redisAsyncContext   *ac;

    ac = ngx_http_mskanban_redis_context(&ngx_http_mskanban_worker.cmd);

    if (ac == NULL) {
        return;
    }

    rc = redisAsyncCommand(ac, ngx_http_mskanban_board_end, ch,
                           "XREVRANGE %b" NGX_HTTP_MSKANBAN_TICKS_SUFFIX
                           " + - COUNT 1", ch->sn.str.data, ch->sn.str.len);

    if (rc == REDIS_OK) {
        ch->busy++;
    }
}


static void
ngx_http_mskanban_board_end(redisAsyncContext *ac, void *r, void *privdata)
{
    redisReply                   *reply = r, *entry;
    ngx_http_mskanban_sid_t       sid;
    ngx_http_mskanban_channel_t  *ch = privdata;

    if (reply != NULL && reply->type == REDIS_REPLY_ARRAY
        && ch->state == NGX_HTTP_MSKANBAN_CHANNEL_SUBSCRIBED)
    {
        if (reply->elements == 0) {
            /* an empty stream: everything it will hold is new */
            sid.ms = 0;
            sid.seq = 0;
            ngx_http_mskanban_channel_saw(ch, &sid);

        } else {
            entry = reply->element[0];

            if (entry->type == REDIS_REPLY_ARRAY && entry->elements > 0
                && entry->element[0]->type == REDIS_REPLY_STRING
                && ngx_http_mskanban_sid_parse(
                       (u_char *) entry->element[0]->str,
                       entry->element[0]->len, &sid) == NGX_OK)
            {
                ngx_http_mskanban_channel_saw(ch, &sid);
            }
        }
    }

    ngx_http_mskanban_channel_release(ch);
}


/* closes after a "retry:" between 1 and 2 x mskanban_retry */

static void
ngx_http_mskanban_sub_retry_close(ngx_http_mskanban_sub_t *sub,
    ngx_uint_t reason)
{
    u_char                    buf[sizeof("retry: \n\n") + NGX_INT_T_LEN], *p;
    ngx_msec_t                retry;
    ngx_http_mskanban_msg_t  *msg;

    if (sub->data) {
        retry = sub->transport->retry ? sub->transport->retry(sub) : 0;

        if (retry) {
            retry += (ngx_msec_t) ngx_random() % (retry + 1);
            p = ngx_sprintf(buf, "retry: %M\n\n", retry);

            msg = ngx_http_mskanban_msg_raw(buf, p - buf, sub->log);

            if (msg != NULL) {
                (void) sub->transport->send(sub, msg);
                ngx_http_mskanban_msg_release(msg);
            }
        }
    }

    ngx_http_mskanban_sub_close(sub, reason);
}


/* releases and frees a list of held messages */

static void
ngx_http_mskanban_pending_free(ngx_http_mskanban_pending_t *p)
{
    ngx_http_mskanban_pending_t  *next;

    for ( /* void */ ; p; p = next) {
        next = p->next;
        ngx_http_mskanban_msg_release(p->msg);
        ngx_free(p);
    }
}
