
/*
 * ngx_http_mskanban_fanout: board -> local subscribers, per worker.
 *
 * One Redis connection per worker SUBSCRIBEs to "mskanban:board:<id>" when
 * the board gets its first local subscriber and UNSUBSCRIBEs after its
 * last; each published tick is encoded once and queued to every local
 * subscriber of the board through its transport (SSE today). A board
 * waits for a pending (UN)SUBSCRIBE to be confirmed before changing
 * direction, so hiredis's callback table always matches Redis.
 *
 * A subscriber starts once its board's subscription is confirmed: with a
 * Last-Event-ID it replays from the board stream first (live ticks are
 * held meanwhile and those already replayed are dropped), otherwise it
 * goes live at once. When the Redis connection drops, every started
 * subscriber is closed so that its client reconnects, is authorized
 * again and replays what it missed; subscribers still waiting stay.
 */


#include "ngx_http_mskanban_module.h"


#define NGX_HTTP_MSKANBAN_BOARD_IDLE           0
#define NGX_HTTP_MSKANBAN_BOARD_SUBSCRIBING    1
#define NGX_HTTP_MSKANBAN_BOARD_SUBSCRIBED     2
#define NGX_HTTP_MSKANBAN_BOARD_UNSUBSCRIBING  3

#define NGX_HTTP_MSKANBAN_TICK                 1000


struct ngx_http_mskanban_board_s {
    ngx_str_node_t                  sn;        /* key: the board id */
    ngx_queue_t                     subs;
    ngx_uint_t                      nsubs;
    ngx_uint_t                      state;
    ngx_uint_t                      busy;      /* being iterated */
    u_char                          id[NGX_HTTP_MSKANBAN_ID_MAX];
};


static ngx_http_mskanban_board_t *ngx_http_mskanban_board_get(u_char *id,
    size_t len, ngx_uint_t create);
static void ngx_http_mskanban_board_update(ngx_http_mskanban_board_t *board);
static void ngx_http_mskanban_board_free(ngx_http_mskanban_board_t *board);
static void ngx_http_mskanban_board_confirmed(
    ngx_http_mskanban_board_t *board, ngx_uint_t subscribed);
static void ngx_http_mskanban_board_publish(ngx_http_mskanban_board_t *board,
    redisReply *payload);
static void ngx_http_mskanban_sub_start(ngx_http_mskanban_sub_t *sub);
static void ngx_http_mskanban_sub_deliver(ngx_http_mskanban_sub_t *sub,
    ngx_http_mskanban_msg_t *msg);
static void ngx_http_mskanban_sub_drop_pending(ngx_http_mskanban_sub_t *sub);
static void ngx_http_mskanban_on_message(redisAsyncContext *ac, void *r,
    void *privdata);
static void ngx_http_mskanban_on_ready(ngx_http_mskanban_redis_t *rd);
static void ngx_http_mskanban_on_lost(ngx_http_mskanban_redis_t *rd);
static void ngx_http_mskanban_tick(ngx_event_t *ev);


ngx_http_mskanban_worker_t  ngx_http_mskanban_worker;


ngx_int_t
ngx_http_mskanban_fanout_init(ngx_cycle_t *cycle,
    ngx_http_mskanban_main_conf_t *mcf)
{
    ngx_http_mskanban_worker_t  *w = &ngx_http_mskanban_worker;

    ngx_memzero(w, sizeof(ngx_http_mskanban_worker_t));

    w->mcf = mcf;

    ngx_rbtree_init(&w->boards, &w->sentinel, ngx_str_rbtree_insert_value);
    ngx_queue_init(&w->all);

    ngx_http_mskanban_redis_init(&w->sub, "subscriber", mcf,
                                 ngx_http_mskanban_on_ready,
                                 ngx_http_mskanban_on_lost);
    ngx_http_mskanban_redis_init(&w->cmd, "command", mcf,
                                 ngx_http_mskanban_replay_redis_ready, NULL);

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
ngx_http_mskanban_fanout_exit(ngx_cycle_t *cycle)
{
    ngx_queue_t                 *q;
    ngx_rbtree_node_t           *node;
    ngx_http_mskanban_sub_t     *sub;
    ngx_http_mskanban_board_t   *board;
    ngx_http_mskanban_worker_t  *w = &ngx_http_mskanban_worker;

    if (!w->running) {
        return;
    }

    w->running = 0;

    if (w->tick.timer_set) {
        ngx_del_timer(&w->tick);
    }

    /* streams still open when the process ends; their requests go too */

    while (!ngx_queue_empty(&w->all)) {
        q = ngx_queue_head(&w->all);
        sub = ngx_queue_data(q, ngx_http_mskanban_sub_t, all_link);
        ngx_http_mskanban_sub_close(sub, NGX_HTTP_MSKANBAN_CLOSE_SHUTDOWN);
    }

    ngx_http_mskanban_redis_stop(&w->sub);
    ngx_http_mskanban_redis_stop(&w->cmd);

    while (w->boards.root != w->boards.sentinel) {
        node = ngx_rbtree_min(w->boards.root, w->boards.sentinel);
        board = (ngx_http_mskanban_board_t *) node;
        ngx_rbtree_delete(&w->boards, node);
        ngx_free(board);
    }
}


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
    ngx_http_mskanban_board_t   *board;
    ngx_http_mskanban_worker_t  *w = &ngx_http_mskanban_worker;

    if (!w->running || sub->attached) {
        return NGX_ERROR;
    }

    if (w->nsubs >= w->mcf->max_subscribers) {
        return NGX_DECLINED;
    }

    board = ngx_http_mskanban_board_get(sub->board_id, sub->board_id_len, 1);
    if (board == NULL) {
        return NGX_ERROR;
    }

    ngx_queue_insert_tail(&board->subs, &sub->board_link);
    board->nsubs++;

    ngx_queue_insert_tail(&w->all, &sub->all_link);
    w->nsubs++;

    sub->board = board;
    sub->attached = 1;

    /* the tick timer must keep a gracefully exiting worker alive */
    w->tick.cancelable = 0;

    if (board->state == NGX_HTTP_MSKANBAN_BOARD_SUBSCRIBED) {
        ngx_http_mskanban_sub_start(sub);

    } else {
        ngx_http_mskanban_board_update(board);
    }

    return NGX_OK;
}


/* removes the subscriber from its board; safe to call twice */

void
ngx_http_mskanban_sub_detach(ngx_http_mskanban_sub_t *sub)
{
    ngx_http_mskanban_board_t   *board;
    ngx_http_mskanban_worker_t  *w = &ngx_http_mskanban_worker;

    if (!sub->attached) {
        return;
    }

    sub->attached = 0;

    board = sub->board;
    sub->board = NULL;

    ngx_queue_remove(&sub->board_link);
    board->nsubs--;

    ngx_queue_remove(&sub->all_link);
    w->nsubs--;

    ngx_http_mskanban_board_update(board);
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
    if (sub->state != NGX_HTTP_MSKANBAN_SUB_WAITING) {
        return;
    }

    if (!sub->has_last) {
        sub->state = NGX_HTTP_MSKANBAN_SUB_LIVE;
        return;
    }

    sub->state = NGX_HTTP_MSKANBAN_SUB_REPLAYING;

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
    ngx_http_mskanban_pending_t  *p, *next;

    for (p = sub->pending; p; p = next) {
        next = p->next;
        ngx_http_mskanban_msg_release(p->msg);
        ngx_free(p);
    }

    sub->pending = NULL;
    sub->pending_last = &sub->pending;
    sub->pending_bytes = 0;
}


static ngx_http_mskanban_board_t *
ngx_http_mskanban_board_get(u_char *id, size_t len, ngx_uint_t create)
{
    uint32_t                     hash;
    ngx_str_t                    key;
    ngx_http_mskanban_board_t   *board;
    ngx_http_mskanban_worker_t  *w = &ngx_http_mskanban_worker;

    if (len == 0 || len > NGX_HTTP_MSKANBAN_ID_MAX) {
        return NULL;
    }

    key.data = id;
    key.len = len;
    hash = ngx_crc32_short(id, len);

    board = (ngx_http_mskanban_board_t *)
                ngx_str_rbtree_lookup(&w->boards, &key, hash);

    if (board != NULL || !create) {
        return board;
    }

    board = ngx_calloc(sizeof(ngx_http_mskanban_board_t), ngx_cycle->log);
    if (board == NULL) {
        return NULL;
    }

    ngx_memcpy(board->id, id, len);

    board->sn.str.data = board->id;
    board->sn.str.len = len;
    board->sn.node.key = hash;

    ngx_queue_init(&board->subs);

    ngx_rbtree_insert(&w->boards, &board->sn.node);

    return board;
}


/*
 * Moves the board's Redis subscription towards what its subscribers
 * need; does nothing while a change is in flight or Redis is away.
 */

static void
ngx_http_mskanban_board_update(ngx_http_mskanban_board_t *board)
{
    int                          rc;
    redisAsyncContext           *ac;
    ngx_http_mskanban_worker_t  *w = &ngx_http_mskanban_worker;

    ac = ngx_http_mskanban_redis_context(&w->sub);

    switch (board->state) {

    case NGX_HTTP_MSKANBAN_BOARD_IDLE:

        if (board->nsubs == 0) {
            ngx_http_mskanban_board_free(board);
            return;
        }

        if (ac == NULL) {
            return;
        }

        rc = redisAsyncCommand(ac, ngx_http_mskanban_on_message, NULL,
                               "SUBSCRIBE " NGX_HTTP_MSKANBAN_BOARD_CHANNEL
                               "%b", board->id, board->sn.str.len);

        if (rc == REDIS_OK) {
            board->state = NGX_HTTP_MSKANBAN_BOARD_SUBSCRIBING;
        }

        return;

    case NGX_HTTP_MSKANBAN_BOARD_SUBSCRIBED:

        if (board->nsubs > 0 || ac == NULL) {
            return;
        }

        rc = redisAsyncCommand(ac, NULL, NULL,
                               "UNSUBSCRIBE " NGX_HTTP_MSKANBAN_BOARD_CHANNEL
                               "%b", board->id, board->sn.str.len);

        if (rc == REDIS_OK) {
            board->state = NGX_HTTP_MSKANBAN_BOARD_UNSUBSCRIBING;
        }

        return;

    default:
        return;
    }
}


static void
ngx_http_mskanban_board_free(ngx_http_mskanban_board_t *board)
{
    if (board->busy || board->nsubs
        || board->state != NGX_HTTP_MSKANBAN_BOARD_IDLE)
    {
        return;
    }

    ngx_rbtree_delete(&ngx_http_mskanban_worker.boards, &board->sn.node);
    ngx_free(board);
}


static void
ngx_http_mskanban_board_confirmed(ngx_http_mskanban_board_t *board,
    ngx_uint_t subscribed)
{
    ngx_queue_t              *q, *next;
    ngx_http_mskanban_sub_t  *sub;

    if (!subscribed) {
        board->state = NGX_HTTP_MSKANBAN_BOARD_IDLE;
        ngx_http_mskanban_board_update(board);
        return;
    }

    board->state = NGX_HTTP_MSKANBAN_BOARD_SUBSCRIBED;

    board->busy++;

    for (q = ngx_queue_head(&board->subs);
         q != ngx_queue_sentinel(&board->subs);
         q = next)
    {
        next = ngx_queue_next(q);
        sub = ngx_queue_data(q, ngx_http_mskanban_sub_t, board_link);
        ngx_http_mskanban_sub_start(sub);
    }

    board->busy--;

    ngx_http_mskanban_board_update(board);
}


static void
ngx_http_mskanban_board_publish(ngx_http_mskanban_board_t *board,
    redisReply *payload)
{
    ngx_queue_t              *q, *next;
    ngx_http_mskanban_msg_t  *msg;
    ngx_http_mskanban_sub_t  *sub;

    if (board->state != NGX_HTTP_MSKANBAN_BOARD_SUBSCRIBED
        || board->nsubs == 0)
    {
        return;
    }

    msg = ngx_http_mskanban_msg_parse((u_char *) payload->str,
                                      (size_t) payload->len,
                                      ngx_cycle->log);
    if (msg == NULL) {
        return;
    }

    board->busy++;

    for (q = ngx_queue_head(&board->subs);
         q != ngx_queue_sentinel(&board->subs);
         q = next)
    {
        next = ngx_queue_next(q);
        sub = ngx_queue_data(q, ngx_http_mskanban_sub_t, board_link);
        ngx_http_mskanban_sub_deliver(sub, msg);
    }

    board->busy--;

    ngx_http_mskanban_msg_release(msg);

    ngx_http_mskanban_board_update(board);
}


/*
 * The one callback of the subscriber connection: subscribe and
 * unsubscribe confirmations and messages, for boards and revocations.
 * A NULL reply means the connection is going away; on_lost handles that.
 */

static void
ngx_http_mskanban_on_message(redisAsyncContext *ac, void *r, void *privdata)
{
    redisReply                 *reply = r;
    redisReply                 *kind, *channel;
    ngx_str_t                   type, name;
    ngx_http_mskanban_board_t  *board;

    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY
        || reply->elements < 3)
    {
        return;
    }

    kind = reply->element[0];
    channel = reply->element[1];

    if (kind->type != REDIS_REPLY_STRING
        || channel->type != REDIS_REPLY_STRING)
    {
        return;
    }

    type.data = (u_char *) kind->str;
    type.len = kind->len;
    name.data = (u_char *) channel->str;
    name.len = channel->len;

    if (name.len == sizeof(NGX_HTTP_MSKANBAN_REVOKE_CHANNEL) - 1
        && ngx_strncmp(name.data, NGX_HTTP_MSKANBAN_REVOKE_CHANNEL,
                       name.len) == 0)
    {
        if (type.len == 7 && ngx_strncmp(type.data, "message", 7) == 0
            && reply->element[2]->type == REDIS_REPLY_STRING)
        {
            ngx_http_mskanban_revoke((u_char *) reply->element[2]->str,
                                     reply->element[2]->len);
        }

        return;
    }

    if (name.len <= sizeof(NGX_HTTP_MSKANBAN_BOARD_CHANNEL) - 1
        || ngx_strncmp(name.data, NGX_HTTP_MSKANBAN_BOARD_CHANNEL,
                       sizeof(NGX_HTTP_MSKANBAN_BOARD_CHANNEL) - 1) != 0)
    {
        return;
    }

    board = ngx_http_mskanban_board_get(
                name.data + sizeof(NGX_HTTP_MSKANBAN_BOARD_CHANNEL) - 1,
                name.len - (sizeof(NGX_HTTP_MSKANBAN_BOARD_CHANNEL) - 1), 0);

    if (board == NULL) {
        return;
    }

    if (type.len == 7 && ngx_strncmp(type.data, "message", 7) == 0) {

        if (reply->element[2]->type == REDIS_REPLY_STRING) {
            ngx_http_mskanban_board_publish(board, reply->element[2]);
        }

    } else if (type.len == 9 && ngx_strncmp(type.data, "subscribe", 9) == 0) {

        if (board->state == NGX_HTTP_MSKANBAN_BOARD_SUBSCRIBING) {
            ngx_http_mskanban_board_confirmed(board, 1);
        }

    } else if (type.len == 11
               && ngx_strncmp(type.data, "unsubscribe", 11) == 0)
    {
        if (board->state == NGX_HTTP_MSKANBAN_BOARD_UNSUBSCRIBING) {
            ngx_http_mskanban_board_confirmed(board, 0);
        }
    }
}


/* the subscriber connection is (again) ready: subscribe what is needed */

static void
ngx_http_mskanban_on_ready(ngx_http_mskanban_redis_t *rd)
{
    redisAsyncContext           *ac;
    ngx_rbtree_node_t           *node, *next;
    ngx_http_mskanban_board_t   *board;
    ngx_http_mskanban_worker_t  *w = &ngx_http_mskanban_worker;

    ac = ngx_http_mskanban_redis_context(rd);
    if (ac == NULL) {
        return;
    }

    if (redisAsyncCommand(ac, ngx_http_mskanban_on_message, NULL,
                          "SUBSCRIBE " NGX_HTTP_MSKANBAN_REVOKE_CHANNEL)
        != REDIS_OK)
    {
        ngx_log_error(NGX_LOG_ERR, ngx_cycle->log, 0,
                      "mskanban: cannot subscribe to revocations");
    }

    if (w->boards.root == w->boards.sentinel) {
        return;
    }

    for (node = ngx_rbtree_min(w->boards.root, w->boards.sentinel);
         node;
         node = next)
    {
        next = ngx_rbtree_next(&w->boards, node);
        board = (ngx_http_mskanban_board_t *) node;
        ngx_http_mskanban_board_update(board);
    }
}


/*
 * The subscriber connection dropped: hiredis already forgot every
 * subscription. Started subscribers may have missed ticks or revocations,
 * so they are closed; their clients come back with Last-Event-ID.
 */

static void
ngx_http_mskanban_on_lost(ngx_http_mskanban_redis_t *rd)
{
    ngx_queue_t                 *q, *qnext;
    ngx_rbtree_node_t           *node, *next;
    ngx_http_mskanban_sub_t     *sub;
    ngx_http_mskanban_board_t   *board;
    ngx_http_mskanban_worker_t  *w = &ngx_http_mskanban_worker;

    if (w->boards.root == w->boards.sentinel) {
        return;
    }

    for (node = ngx_rbtree_min(w->boards.root, w->boards.sentinel);
         node;
         node = next)
    {
        next = ngx_rbtree_next(&w->boards, node);
        board = (ngx_http_mskanban_board_t *) node;

        board->state = NGX_HTTP_MSKANBAN_BOARD_IDLE;
        board->busy++;

        for (q = ngx_queue_head(&board->subs);
             q != ngx_queue_sentinel(&board->subs);
             q = qnext)
        {
            qnext = ngx_queue_next(q);
            sub = ngx_queue_data(q, ngx_http_mskanban_sub_t, board_link);

            if (sub->state != NGX_HTTP_MSKANBAN_SUB_WAITING) {
                ngx_http_mskanban_sub_close(sub,
                                            NGX_HTTP_MSKANBAN_CLOSE_REDIS);
            }
        }

        board->busy--;

        ngx_http_mskanban_board_free(board);
    }
}


/*
 * Once a second: transports send heartbeats and enforce deadlines; when
 * the worker is shutting down gracefully, every stream is closed so that
 * clients reconnect to a new worker.
 */

static void
ngx_http_mskanban_tick(ngx_event_t *ev)
{
    ngx_msec_t                   now;
    ngx_queue_t                 *q, *next;
    ngx_http_mskanban_sub_t     *sub;
    ngx_http_mskanban_worker_t  *w = ev->data;

    now = ngx_current_msec;

    for (q = ngx_queue_head(&w->all);
         q != ngx_queue_sentinel(&w->all);
         q = next)
    {
        next = ngx_queue_next(q);
        sub = ngx_queue_data(q, ngx_http_mskanban_sub_t, all_link);

        if (ngx_exiting || ngx_quit) {
            ngx_http_mskanban_sub_close(sub,
                                        NGX_HTTP_MSKANBAN_CLOSE_SHUTDOWN);

        } else if (sub->data) {
            sub->transport->tick(sub, now);
        }
    }

    ev->cancelable = (w->nsubs == 0);

    ngx_add_timer(ev, NGX_HTTP_MSKANBAN_TICK);
}
