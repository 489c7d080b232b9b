
/*
 * ngx_http_mskanban_channel: the worker's channel table, Redis connections
 * and timer, shared by the live streams and the WebSocket relay.
 *
 * Each worker has two Redis connections (ngx_http_mskanban_redis.c does
 * the event loop glue) and one timer, whatever it serves:
 *   - the subscriber SUBSCRIBEs to "mskanban:revoke" and to each channel
 *     of the table while it has local members; its one callback below
 *     hands revocations to ngx_http_mskanban_revoke.c and messages to
 *     their channel;
 *   - the command connection carries the replay's XRANGE
 *     (ngx_http_mskanban_replay.c) and the relay's PUBLISH;
 *   - the tick, once a second, runs the transports' heartbeats, pings and
 *     deadlines.
 *
 * A channel has a kind (ngx_http_mskanban_kind_t): a board stream
 * ("mskanban:board:<id>", ngx_http_mskanban_fanout.c, members are SSE
 * subscribers) or a relay room ("mskanban:room:<room>",
 * ngx_http_mskanban_ws_room.c, members are WebSockets). The kind decides
 * how a published message is decoded (once, for every member), how a
 * member gets it, and what Redis loss means for its members. A channel
 * waits for a pending (UN)SUBSCRIBE to be confirmed before changing
 * direction, so that hiredis's callback table always matches Redis.
 *
 * A message for a channel with more local members than one slice
 * (mskanban_delivery_slice) is not delivered inside the Redis callback:
 * it is queued on the channel and a posted event delivers at most a slice
 * per event-loop pass (a cursor in the channel's members marks how far it
 * got), so no single callback walks tens of thousands of connections and
 * the Redis socket keeps being read. Messages of one channel stay in
 * order.
 */


#include "ngx_http_mskanban_ws.h"


#define NGX_HTTP_MSKANBAN_TICK                   1000


static ngx_http_mskanban_channel_t *ngx_http_mskanban_channel_get(
    ngx_http_mskanban_kind_t *kind, u_char *id, size_t len,
    ngx_uint_t create);
static ngx_http_mskanban_channel_t *ngx_http_mskanban_channel_lookup(
    u_char *name, size_t len);
static void ngx_http_mskanban_channel_update(ngx_http_mskanban_channel_t *ch);
static void ngx_http_mskanban_channel_confirmed(
    ngx_http_mskanban_channel_t *ch, ngx_uint_t subscribed);
static void ngx_http_mskanban_channel_publish(ngx_http_mskanban_channel_t *ch,
    u_char *p, size_t len);
static void ngx_http_mskanban_channel_drop_out(
    ngx_http_mskanban_channel_t *ch);
static ngx_uint_t ngx_http_mskanban_channel_counted(
    ngx_http_mskanban_channel_t *ch);
static void ngx_http_mskanban_channel_reply(redisAsyncContext *ac, void *r,
    void *privdata);
static void ngx_http_mskanban_deliver_handler(ngx_event_t *ev);
static void ngx_http_mskanban_on_ready(ngx_http_mskanban_redis_t *rd);
static void ngx_http_mskanban_on_lost(ngx_http_mskanban_redis_t *rd);
static void ngx_http_mskanban_cmd_ready(ngx_http_mskanban_redis_t *rd);
static void ngx_http_mskanban_cmd_lost(ngx_http_mskanban_redis_t *rd);
static void ngx_http_mskanban_tick(ngx_event_t *ev);


ngx_http_mskanban_worker_t  ngx_http_mskanban_worker;


ngx_int_t
ngx_http_mskanban_channel_init(ngx_cycle_t *cycle,
    ngx_http_mskanban_main_conf_t *mcf)
{
    ngx_http_mskanban_worker_t  *w = &ngx_http_mskanban_worker;

    ngx_memzero(w, sizeof(ngx_http_mskanban_worker_t));

    w->mcf = mcf;

    ngx_rbtree_init(&w->channels, &w->sentinel, ngx_str_rbtree_insert_value);
    ngx_queue_init(&w->all);

    ngx_queue_init(&w->deliveries);
    w->deliver.handler = ngx_http_mskanban_deliver_handler;
    w->deliver.data = w;
    w->deliver.log = cycle->log;

    ngx_http_mskanban_redis_init(&w->sub, "subscriber", mcf,
                                 ngx_http_mskanban_on_ready,
                                 ngx_http_mskanban_on_lost);
    ngx_http_mskanban_redis_init(&w->cmd, "command", mcf,
                                 ngx_http_mskanban_cmd_ready,
                                 ngx_http_mskanban_cmd_lost);

    w->tick.handler = ngx_http_mskanban_tick;
    w->tick.data = w;
    w->tick.log = cycle->log;
    w->tick.cancelable = 1;

    ngx_add_timer(&w->tick, NGX_HTTP_MSKANBAN_TICK);

    w->running = 1;

    ngx_http_mskanban_redis_connect(&w->sub);
    ngx_http_mskanban_redis_connect(&w->cmd);

    return NGX_OK;
}


void
ngx_http_mskanban_channel_exit(ngx_cycle_t *cycle)
{
    ngx_queue_t                  *q;
    ngx_rbtree_node_t            *node;
    ngx_http_mskanban_channel_t  *ch;
    ngx_http_mskanban_worker_t   *w = &ngx_http_mskanban_worker;

    if (!w->running) {
        return;
    }

    w->running = 0;

    if (w->tick.timer_set) {
        ngx_del_timer(&w->tick);
    }

    if (w->deliver.posted) {
        ngx_delete_posted_event(&w->deliver);
    }

    while (!ngx_queue_empty(&w->deliveries)) {
        q = ngx_queue_head(&w->deliveries);
        ch = ngx_queue_data(q, ngx_http_mskanban_channel_t, deliveries_link);
        ngx_http_mskanban_channel_drop_out(ch);
    }

    /* members still there when the process ends; their requests go too */

    ngx_http_mskanban_ws_worker_exit(cycle);
    ngx_http_mskanban_boards_close();

    /* after this, no Redis callback holds a channel */

    ngx_http_mskanban_redis_stop(&w->sub);
    ngx_http_mskanban_redis_stop(&w->cmd);

    while (w->channels.root != w->channels.sentinel) {
        node = ngx_rbtree_min(w->channels.root, w->channels.sentinel);
        ch = (ngx_http_mskanban_channel_t *) node;

        if (ngx_http_mskanban_channel_counted(ch) && ch->kind->subscribed) {
            ch->kind->subscribed(ch, -1);
        }

        ngx_rbtree_delete(&w->channels, node);
        ngx_free(ch);
    }
}


/*
 * Adds a member (a queue link of the kind's structure) to the channel
 * "<kind prefix><id>", creating it. The caller then points the member at
 * the channel and calls channel_start().
 */

ngx_http_mskanban_channel_t *
ngx_http_mskanban_channel_join(ngx_http_mskanban_kind_t *kind, u_char *id,
    size_t len, ngx_queue_t *member)
{
    ngx_http_mskanban_channel_t  *ch;
    ngx_http_mskanban_worker_t   *w = &ngx_http_mskanban_worker;

    if (!w->running) {
        return NULL;
    }

    ch = ngx_http_mskanban_channel_get(kind, id, len, 1);
    if (ch == NULL) {
        return NULL;
    }

    ngx_queue_insert_tail(&ch->members, member);
    ch->nmembers++;

    /* the tick timer must keep a gracefully exiting worker alive */
    w->tick.cancelable = 0;

    return ch;
}


/* the member starts at once when the channel is subscribed, else later */

void
ngx_http_mskanban_channel_start(ngx_http_mskanban_channel_t *ch,
    ngx_queue_t *member)
{
    if (ch->state == NGX_HTTP_MSKANBAN_CHANNEL_SUBSCRIBED) {
        ch->kind->start(ch, member);

    } else {
        ngx_http_mskanban_channel_update(ch);
    }
}


void
ngx_http_mskanban_channel_leave(ngx_http_mskanban_channel_t *ch,
    ngx_queue_t *member)
{
    ngx_queue_remove(member);
    ch->nmembers--;

    ngx_http_mskanban_channel_update(ch);
}


/* the newest stream id a board channel has seen */

void
ngx_http_mskanban_channel_saw(ngx_http_mskanban_channel_t *ch,
    ngx_http_mskanban_sid_t *sid)
{
    if (!ch->has_last || ngx_http_mskanban_sid_cmp(sid, &ch->last) > 0) {
        ch->last = *sid;
        ch->has_last = 1;
    }
}


/* the end of a command that held the channel (busy++) */

void
ngx_http_mskanban_channel_release(ngx_http_mskanban_channel_t *ch)
{
    ch->busy--;

    if (ch->busy || ch->nmembers
        || ch->state != NGX_HTTP_MSKANBAN_CHANNEL_IDLE)
    {
        return;
    }

    ngx_rbtree_delete(&ngx_http_mskanban_worker.channels, &ch->sn.node);
    ngx_free(ch);
}


static ngx_http_mskanban_channel_t *
ngx_http_mskanban_channel_get(ngx_http_mskanban_kind_t *kind, u_char *id,
    size_t len, ngx_uint_t create)
{
    u_char                       *p;
    size_t                        n;
    uint32_t                      hash;
    ngx_str_t                     key;
    ngx_http_mskanban_channel_t  *ch;
    ngx_http_mskanban_worker_t   *w = &ngx_http_mskanban_worker;
    u_char                        name[64 + NGX_HTTP_MSKANBAN_WS_ROOM_MAX];

    if (len == 0 || len > kind->id_max
        || kind->prefix.len + len > sizeof(name))
    {
        return NULL;
    }

    p = ngx_cpymem(name, kind->prefix.data, kind->prefix.len);
    p = ngx_cpymem(p, id, len);
    n = p - name;

    key.data = name;
    key.len = n;
    hash = ngx_crc32_short(name, n);

    ch = (ngx_http_mskanban_channel_t *)
             ngx_str_rbtree_lookup(&w->channels, &key, hash);

    if (ch != NULL || !create) {
        return ch;
    }

    ch = ngx_calloc(sizeof(ngx_http_mskanban_channel_t) + n, ngx_cycle->log);
    if (ch == NULL) {
        return NULL;
    }

    p = (u_char *) ch + sizeof(ngx_http_mskanban_channel_t);
    ngx_memcpy(p, name, n);

    ch->sn.str.data = p;
    ch->sn.str.len = n;
    ch->sn.node.key = hash;
    ch->kind = kind;

    ngx_queue_init(&ch->members);

    ngx_rbtree_insert(&w->channels, &ch->sn.node);

    return ch;
}


static ngx_http_mskanban_channel_t *
ngx_http_mskanban_channel_lookup(u_char *name, size_t len)
{
    ngx_str_t                    key;
    ngx_http_mskanban_worker_t  *w = &ngx_http_mskanban_worker;

    key.data = name;
    key.len = len;

    return (ngx_http_mskanban_channel_t *)
               ngx_str_rbtree_lookup(&w->channels, &key,
                                     ngx_crc32_short(name, len));
}


/*
 * Moves the channel's Redis subscription towards what its members need;
 * does nothing while a change is in flight or Redis is away. A channel
 * nobody needs any more is freed.
 */

static void
ngx_http_mskanban_channel_update(ngx_http_mskanban_channel_t *ch)
{
    int                          rc;
    redisAsyncContext           *ac;
    ngx_http_mskanban_worker_t  *w = &ngx_http_mskanban_worker;

    ac = w->running ? ngx_http_mskanban_redis_context(&w->sub) : NULL;

    switch (ch->state) {

    case NGX_HTTP_MSKANBAN_CHANNEL_IDLE:

        if (ch->nmembers == 0) {
            ch->busy++;
            ngx_http_mskanban_channel_release(ch);
            return;
        }

        if (ac == NULL) {
            return;
        }

        rc = redisAsyncCommand(ac, ngx_http_mskanban_channel_reply, NULL,
                               "SUBSCRIBE %b", ch->sn.str.data,
                               ch->sn.str.len);

        if (rc == REDIS_OK) {
            ch->state = NGX_HTTP_MSKANBAN_CHANNEL_SUBSCRIBING;
        }

        return;

    case NGX_HTTP_MSKANBAN_CHANNEL_SUBSCRIBED:

        if (ch->nmembers > 0 || ac == NULL) {
            return;
        }

        rc = redisAsyncCommand(ac, NULL, NULL, "UNSUBSCRIBE %b",
                               ch->sn.str.data, ch->sn.str.len);

        if (rc == REDIS_OK) {
            ch->state = NGX_HTTP_MSKANBAN_CHANNEL_UNSUBSCRIBING;
        }

        return;

    default:
        return;
    }
}


static void
ngx_http_mskanban_channel_confirmed(ngx_http_mskanban_channel_t *ch,
    ngx_uint_t subscribed)
{
    ngx_queue_t  *q, *next;

    if (!subscribed) {
        ch->state = NGX_HTTP_MSKANBAN_CHANNEL_IDLE;

        if (ch->kind->subscribed) {
            ch->kind->subscribed(ch, -1);
        }

        ngx_http_mskanban_channel_update(ch);
        return;
    }

    ch->state = NGX_HTTP_MSKANBAN_CHANNEL_SUBSCRIBED;

    ch->busy++;

    if (ch->kind->subscribed) {
        ch->kind->subscribed(ch, 1);
    }

    for (q = ngx_queue_head(&ch->members);
         q != ngx_queue_sentinel(&ch->members);
         q = next)
    {
        next = ngx_queue_next(q);

        if (q == &ch->cursor) {
            continue;
        }

        ch->kind->start(ch, q);
    }

    ch->busy--;

    ngx_http_mskanban_channel_update(ch);
}


static void
ngx_http_mskanban_channel_publish(ngx_http_mskanban_channel_t *ch,
    u_char *data, size_t len)
{
    ngx_queue_t                  *q, *next;
    ngx_http_mskanban_msg_t      *msg;
    ngx_http_mskanban_pending_t  *p;
    ngx_http_mskanban_worker_t   *w = &ngx_http_mskanban_worker;

    if (ch->state != NGX_HTTP_MSKANBAN_CHANNEL_SUBSCRIBED
        || ch->nmembers == 0)
    {
        return;
    }

    msg = ch->kind->decode(ch, data, len);
    if (msg == NULL) {
        return;
    }

    if (ch->queued || ch->nmembers > w->mcf->delivery_slice) {

        /* in slices, after what is already queued for the channel */

        p = ngx_alloc(sizeof(ngx_http_mskanban_pending_t), ngx_cycle->log);
        if (p == NULL) {
            ngx_http_mskanban_msg_release(msg);
            return;
        }

        p->next = NULL;
        p->msg = msg;

        if (!ch->queued) {
            ch->queued = 1;
            ch->out = NULL;
            ch->out_last = &ch->out;
            ch->busy++;
            ngx_queue_insert_tail(&w->deliveries, &ch->deliveries_link);
        }

        *ch->out_last = p;
        ch->out_last = &p->next;

        if (!w->deliver.posted) {
            ngx_post_event(&w->deliver, &ngx_posted_events);
        }

        return;
    }

    ch->busy++;

    for (q = ngx_queue_head(&ch->members);
         q != ngx_queue_sentinel(&ch->members);
         q = next)
    {
        next = ngx_queue_next(q);
        ch->kind->deliver(q, msg);
    }

    ch->busy--;

    ngx_http_mskanban_msg_release(msg);

    ngx_http_mskanban_channel_update(ch);
}


/*
 * Delivers queued messages, at most mskanban_delivery_slice members per
 * event-loop pass over all channels; what remains waits for the next pass.
 */

static void
ngx_http_mskanban_deliver_handler(ngx_event_t *ev)
{
    ngx_uint_t                    budget;
    ngx_queue_t                  *q, *cq;
    ngx_http_mskanban_channel_t  *ch;
    ngx_http_mskanban_pending_t  *p;
    ngx_http_mskanban_worker_t   *w = ev->data;

    budget = w->mcf->delivery_slice;

    while (budget && !ngx_queue_empty(&w->deliveries)) {

        cq = ngx_queue_head(&w->deliveries);
        ch = ngx_queue_data(cq, ngx_http_mskanban_channel_t, deliveries_link);
        p = ch->out;

        if (!ch->walking) {
            ngx_queue_insert_head(&ch->members, &ch->cursor);
            ch->walking = 1;
        }

        for (q = ngx_queue_next(&ch->cursor);
             budget && q != ngx_queue_sentinel(&ch->members);
             q = ngx_queue_next(&ch->cursor))
        {
            /* the cursor moves past the member before it is sent to, so
             * that a member closed by the send leaves it intact */

            ngx_queue_remove(&ch->cursor);
            ngx_queue_insert_after(q, &ch->cursor);

            ch->kind->deliver(q, p->msg);
            budget--;
        }

        if (ngx_queue_next(&ch->cursor) != ngx_queue_sentinel(&ch->members)) {
            break;
        }

        /* this message reached every member */

        ngx_queue_remove(&ch->cursor);
        ch->walking = 0;

        ch->out = p->next;
        ngx_http_mskanban_msg_release(p->msg);
        ngx_free(p);

        ngx_queue_remove(cq);

        if (ch->out == NULL) {
            ch->queued = 0;
            ch->out_last = &ch->out;
            ch->busy--;
            ngx_http_mskanban_channel_update(ch);

        } else {
            /* the channel's next message after the other channels' */
            ngx_queue_insert_tail(&w->deliveries, cq);
        }
    }

    if (!ngx_queue_empty(&w->deliveries)) {
        ngx_post_event(ev, &ngx_posted_next_events);
    }
}


/* forgets the messages queued for a channel (Redis lost, or exiting) */

static void
ngx_http_mskanban_channel_drop_out(ngx_http_mskanban_channel_t *ch)
{
    ngx_http_mskanban_pending_t  *p, *next;

    if (!ch->queued) {
        return;
    }

    if (ch->walking) {
        ngx_queue_remove(&ch->cursor);
        ch->walking = 0;
    }

    for (p = ch->out; p; p = next) {
        next = p->next;
        ngx_http_mskanban_msg_release(p->msg);
        ngx_free(p);
    }

    ch->out = NULL;
    ch->out_last = &ch->out;
    ch->queued = 0;
    ch->busy--;

    ngx_queue_remove(&ch->deliveries_link);
}


/* whether Redis confirmed the subscription and not yet its end */

static ngx_uint_t
ngx_http_mskanban_channel_counted(ngx_http_mskanban_channel_t *ch)
{
    return ch->state == NGX_HTTP_MSKANBAN_CHANNEL_SUBSCRIBED
           || ch->state == NGX_HTTP_MSKANBAN_CHANNEL_UNSUBSCRIBING;
}


/*
 * The one callback of the subscriber connection: subscribe and
 * unsubscribe confirmations and messages, for every channel and for
 * revocations. A NULL reply means the connection is going away; on_lost
 * handles that.
 */

static void
ngx_http_mskanban_channel_reply(redisAsyncContext *ac, void *r,
    void *privdata)
{
    redisReply                   *reply = r;
    redisReply                   *kind, *channel, *payload;
    ngx_str_t                     type;
    ngx_http_mskanban_channel_t  *ch;

    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY
        || reply->elements < 3)
    {
        return;
    }

    kind = reply->element[0];
    channel = reply->element[1];
    payload = reply->element[2];

    if (kind->type != REDIS_REPLY_STRING
        || channel->type != REDIS_REPLY_STRING)
    {
        return;
    }

    type.data = (u_char *) kind->str;
    type.len = kind->len;

    if (channel->len == sizeof(NGX_HTTP_MSKANBAN_REVOKE_CHANNEL) - 1
        && ngx_strncmp(channel->str, NGX_HTTP_MSKANBAN_REVOKE_CHANNEL,
                       channel->len) == 0)
    {
        if (type.len == 7 && ngx_strncmp(type.data, "message", 7) == 0
            && payload->type == REDIS_REPLY_STRING)
        {
            ngx_http_mskanban_revoke((u_char *) payload->str,
                                     (size_t) payload->len);

        } else if (type.len == 9
                   && ngx_strncmp(type.data, "subscribe", 9) == 0)
        {
            ngx_http_mskanban_revoke_subscribed();
        }

        return;
    }

    ch = ngx_http_mskanban_channel_lookup((u_char *) channel->str,
                                          (size_t) channel->len);
    if (ch == NULL) {
        return;
    }

    if (type.len == 7 && ngx_strncmp(type.data, "message", 7) == 0) {

        if (payload->type == REDIS_REPLY_STRING) {
            ngx_http_mskanban_channel_publish(ch, (u_char *) payload->str,
                                              (size_t) payload->len);
        }

    } else if (type.len == 9 && ngx_strncmp(type.data, "subscribe", 9) == 0) {

        if (ch->state == NGX_HTTP_MSKANBAN_CHANNEL_SUBSCRIBING) {
            ngx_http_mskanban_channel_confirmed(ch, 1);
        }

    } else if (type.len == 11
               && ngx_strncmp(type.data, "unsubscribe", 11) == 0)
    {
        if (ch->state == NGX_HTTP_MSKANBAN_CHANNEL_UNSUBSCRIBING) {
            ngx_http_mskanban_channel_confirmed(ch, 0);
        }
    }
}


/* the subscriber connection is (again) ready: subscribe what is needed */

static void
ngx_http_mskanban_on_ready(ngx_http_mskanban_redis_t *rd)
{
    redisAsyncContext            *ac;
    ngx_rbtree_node_t            *node, *next;
    ngx_http_mskanban_worker_t   *w = &ngx_http_mskanban_worker;

    ac = ngx_http_mskanban_redis_context(rd);
    if (ac == NULL) {
        return;
    }

    if (redisAsyncCommand(ac, ngx_http_mskanban_channel_reply, NULL,
                          "SUBSCRIBE " NGX_HTTP_MSKANBAN_REVOKE_CHANNEL)
        != REDIS_OK)
    {
        ngx_log_error(NGX_LOG_ERR, ngx_cycle->log, 0,
                      "mskanban: cannot subscribe to revocations");
    }

    if (w->channels.root == w->channels.sentinel) {
        return;
    }

    for (node = ngx_rbtree_min(w->channels.root, w->channels.sentinel);
         node;
         node = next)
    {
        next = ngx_rbtree_next(&w->channels, node);
        ngx_http_mskanban_channel_update((ngx_http_mskanban_channel_t *) node);
    }
}


/*
 * The subscriber connection dropped: hiredis already forgot every
 * subscription, channels start over from IDLE and each kind decides what
 * its members do (board streams wait and resume, relay sockets close).
 */

static void
ngx_http_mskanban_on_lost(ngx_http_mskanban_redis_t *rd)
{
    ngx_rbtree_node_t            *node, *next;
    ngx_http_mskanban_channel_t  *ch;
    ngx_http_mskanban_worker_t   *w = &ngx_http_mskanban_worker;

    ngx_http_mskanban_revoke_lost();

    if (w->channels.root != w->channels.sentinel) {

        for (node = ngx_rbtree_min(w->channels.root, w->channels.sentinel);
             node;
             node = next)
        {
            next = ngx_rbtree_next(&w->channels, node);
            ch = (ngx_http_mskanban_channel_t *) node;

            if (ngx_http_mskanban_channel_counted(ch) && ch->kind->subscribed)
            {
                ch->kind->subscribed(ch, -1);
            }

            ch->state = NGX_HTTP_MSKANBAN_CHANNEL_IDLE;

            /* messages not yet delivered to all */
            ngx_http_mskanban_channel_drop_out(ch);

            ch->busy++;
            ch->kind->lost(ch);
            ngx_http_mskanban_channel_release(ch);
        }
    }

    ngx_http_mskanban_boards_lost();
}


/* the command connection is (again) ready */

static void
ngx_http_mskanban_cmd_ready(ngx_http_mskanban_redis_t *rd)
{
    ngx_http_mskanban_replay_redis_ready(rd);
}


/*
 * The command connection dropped: replays in flight get their NULL
 * replies; relayed messages handed to it may be lost, so the relay's
 * open sockets are closed.
 */

static void
ngx_http_mskanban_cmd_lost(ngx_http_mskanban_redis_t *rd)
{
    ngx_http_mskanban_ws_redis_lost();
}


static void
ngx_http_mskanban_tick(ngx_event_t *ev)
{
    ngx_msec_t                   now;
    ngx_http_mskanban_worker_t  *w = ev->data;

    now = ngx_current_msec;

    ngx_http_mskanban_subs_tick(now);
    ngx_http_mskanban_ws_rooms_tick(now);

    ev->cancelable = (w->nsubs == 0
                      && ngx_http_mskanban_ws_worker_connections() == 0);

    ngx_add_timer(ev, NGX_HTTP_MSKANBAN_TICK);
}
