
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
 * A tick for a board with more local subscribers than one slice
 * (mskanban_delivery_slice) is not delivered inside the Redis callback:
 * it is queued on the board and a posted event delivers at most a slice
 * per event-loop pass (a cursor in the board's list marks how far it
 * got), so no single callback walks tens of thousands of connections and
 * the Redis socket keeps being read. Ticks of one board stay in order.
 *
 * A worker that is shutting down closes its streams spread over
 * NGX_HTTP_MSKANBAN_SPREAD ms, each with a jittered "retry:", so that
 * clients come back to the new workers gradually.
 */


#include "ngx_http_mskanban_module.h"


#define NGX_HTTP_MSKANBAN_BOARD_IDLE           0
#define NGX_HTTP_MSKANBAN_BOARD_SUBSCRIBING    1
#define NGX_HTTP_MSKANBAN_BOARD_SUBSCRIBED     2
#define NGX_HTTP_MSKANBAN_BOARD_UNSUBSCRIBING  3

#define NGX_HTTP_MSKANBAN_SPREAD               5000


struct ngx_http_mskanban_board_s {
    ngx_str_node_t                  sn;        /* key: the board id */
    ngx_queue_t                     subs;
    ngx_uint_t                      nsubs;
    ngx_uint_t                      state;
    ngx_uint_t                      busy;      /* being iterated */
    ngx_http_mskanban_sid_t         last;      /* newest id seen */
    ngx_http_mskanban_pending_t    *out;       /* ticks being delivered */
    ngx_http_mskanban_pending_t   **out_last;
    ngx_queue_t                     cursor;    /* in subs while delivering */
    ngx_queue_t                     deliveries_link;
    unsigned                        has_last:1;
    unsigned                        queued:1;  /* in w->deliveries */
    unsigned                        walking:1; /* cursor is in subs */
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
static void ngx_http_mskanban_pending_free(ngx_http_mskanban_pending_t *p);
static void ngx_http_mskanban_board_ask_end(ngx_http_mskanban_board_t *board);
static void ngx_http_mskanban_board_end(redisAsyncContext *ac, void *r,
    void *privdata);
static void ngx_http_mskanban_board_saw(ngx_http_mskanban_board_t *board,
    ngx_http_mskanban_sid_t *sid);
static void ngx_http_mskanban_deliver_handler(ngx_event_t *ev);
static void ngx_http_mskanban_board_drop_out(ngx_http_mskanban_board_t *board);
static void ngx_http_mskanban_sub_retry_close(ngx_http_mskanban_sub_t *sub,
    ngx_uint_t reason);






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

        rc = redisAsyncCommand(ac, ngx_http_mskanban_channel_message, NULL,
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
    board->has_last = 0;

    ngx_http_mskanban_board_ask_end(board);

    board->busy++;

    for (q = ngx_queue_head(&board->subs);
         q != ngx_queue_sentinel(&board->subs);
         q = next)
    {
        next = ngx_queue_next(q);

        if (q == &board->cursor) {
            continue;
        }

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
    ngx_queue_t                  *q, *next;
    ngx_http_mskanban_msg_t      *msg;
    ngx_http_mskanban_sub_t      *sub;
    ngx_http_mskanban_pending_t  *p;
    ngx_http_mskanban_worker_t   *w = &ngx_http_mskanban_worker;

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

    if (msg->has_sid) {
        ngx_http_mskanban_board_saw(board, &msg->sid);
    }

    if (board->queued || board->nsubs > w->mcf->delivery_slice) {

        /* in slices, after what is already queued for the board */

        p = ngx_alloc(sizeof(ngx_http_mskanban_pending_t), ngx_cycle->log);
        if (p == NULL) {
            ngx_http_mskanban_msg_release(msg);
            return;
        }

        p->next = NULL;
        p->msg = msg;

        if (!board->queued) {
            board->queued = 1;
            board->out = NULL;
            board->out_last = &board->out;
            board->busy++;
            ngx_queue_insert_tail(&w->deliveries, &board->deliveries_link);
        }

        *board->out_last = p;
        board->out_last = &p->next;

        if (!w->deliver.posted) {
            ngx_post_event(&w->deliver, &ngx_posted_events);
        }

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
 * Where the worker's tables are set up and torn down; the connections and
 * the timer are ngx_http_mskanban_channel.c's.
 */

void
ngx_http_mskanban_boards_init(void)
{
    ngx_http_mskanban_worker_t  *w = &ngx_http_mskanban_worker;

    ngx_rbtree_init(&w->boards, &w->sentinel, ngx_str_rbtree_insert_value);
    ngx_queue_init(&w->all);

    ngx_queue_init(&w->deliveries);
    w->deliver.handler = ngx_http_mskanban_deliver_handler;
    w->deliver.data = w;
    w->deliver.log = ngx_cycle->log;
}


/* the worker ends: streams still open go, their requests too */

void
ngx_http_mskanban_boards_close(void)
{
    ngx_queue_t                 *q;
    ngx_http_mskanban_sub_t     *sub;
    ngx_http_mskanban_board_t   *board;
    ngx_http_mskanban_worker_t  *w = &ngx_http_mskanban_worker;

    if (w->deliver.posted) {
        ngx_delete_posted_event(&w->deliver);
    }

    while (!ngx_queue_empty(&w->deliveries)) {
        q = ngx_queue_head(&w->deliveries);
        board = ngx_queue_data(q, ngx_http_mskanban_board_t, deliveries_link);
        ngx_http_mskanban_board_drop_out(board);
    }

    while (!ngx_queue_empty(&w->all)) {
        q = ngx_queue_head(&w->all);
        sub = ngx_queue_data(q, ngx_http_mskanban_sub_t, all_link);
        ngx_http_mskanban_sub_close(sub, NGX_HTTP_MSKANBAN_CLOSE_SHUTDOWN);
    }
}


/* after the connections stopped (their callbacks may hold boards) */

void
ngx_http_mskanban_boards_free(void)
{
    ngx_rbtree_node_t           *node;
    ngx_http_mskanban_board_t   *board;
    ngx_http_mskanban_worker_t  *w = &ngx_http_mskanban_worker;

    while (w->boards.root != w->boards.sentinel) {
        node = ngx_rbtree_min(w->boards.root, w->boards.sentinel);
        board = (ngx_http_mskanban_board_t *) node;
        ngx_rbtree_delete(&w->boards, node);
        ngx_free(board);
    }
}


/*
 * A reply on the subscriber connection for "mskanban:board:<id>"
 * (dispatched by ngx_http_mskanban_channel.c): a message or a subscribe
 * or unsubscribe confirmation.
 */

void
ngx_http_mskanban_board_message(ngx_str_t *type, u_char *id, size_t len,
    redisReply *payload)
{
    ngx_http_mskanban_board_t  *board;

    board = ngx_http_mskanban_board_get(id, len, 0);

    if (board == NULL) {
        return;
    }

    if (type->len == 7 && ngx_strncmp(type->data, "message", 7) == 0) {

        if (payload->type == REDIS_REPLY_STRING) {
            ngx_http_mskanban_board_publish(board, payload);
        }

    } else if (type->len == 9
               && ngx_strncmp(type->data, "subscribe", 9) == 0)
    {
        if (board->state == NGX_HTTP_MSKANBAN_BOARD_SUBSCRIBING) {
            ngx_http_mskanban_board_confirmed(board, 1);
        }

    } else if (type->len == 11
               && ngx_strncmp(type->data, "unsubscribe", 11) == 0)
    {
        if (board->state == NGX_HTTP_MSKANBAN_BOARD_UNSUBSCRIBING) {
            ngx_http_mskanban_board_confirmed(board, 0);
        }
    }
}


/* the subscriber connection is (again) ready: subscribe every board */

void
ngx_http_mskanban_boards_ready(void)
{
    ngx_rbtree_node_t           *node, *next;
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
        ngx_http_mskanban_board_update(board);
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

void
ngx_http_mskanban_boards_lost(void)
{
    ngx_uint_t                   n, blind;
    ngx_queue_t                 *q;
    ngx_rbtree_node_t           *node, *next;
    ngx_http_mskanban_sub_t     *sub;
    ngx_http_mskanban_board_t   *board;
    ngx_http_mskanban_worker_t  *w = &ngx_http_mskanban_worker;

    if (w->boards.root == w->boards.sentinel) {
        return;
    }

    n = 0;
    blind = 0;

    for (node = ngx_rbtree_min(w->boards.root, w->boards.sentinel);
         node;
         node = next)
    {
        next = ngx_rbtree_next(&w->boards, node);
        board = (ngx_http_mskanban_board_t *) node;

        board->state = NGX_HTTP_MSKANBAN_BOARD_IDLE;

        /* ticks not yet delivered to all: each subscriber replays them */
        ngx_http_mskanban_board_drop_out(board);

        for (q = ngx_queue_head(&board->subs);
             q != ngx_queue_sentinel(&board->subs);
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
                if (board->has_last) {
                    sub->last = board->last;
                    sub->has_last = 1;

                } else {
                    sub->resync = 1;
                    blind++;
                }
            }

            sub->state = NGX_HTTP_MSKANBAN_SUB_WAITING;
            sub->replay_wait = 0;
            sub->replay_checked = 0;
            sub->has_seam = 0;
            n++;
        }

        board->has_last = 0;

        ngx_http_mskanban_board_free(board);
    }

    ngx_log_error(NGX_LOG_WARN, ngx_cycle->log, 0,
                  "mskanban: %ui live streams wait for redis to resume "
                  "(%ui without a position will get RESYNC)", n, blind);
}


/*
 * The board stream's newest id when the board is subscribed: a subscriber
 * that gets no tick before Redis is lost resumes from there.
 */

static void
ngx_http_mskanban_board_ask_end(ngx_http_mskanban_board_t *board)
{
    int                  rc;
    redisAsyncContext   *ac;

    ac = ngx_http_mskanban_redis_context(&ngx_http_mskanban_worker.cmd);

    if (ac == NULL) {
        return;
    }

    rc = redisAsyncCommand(ac, ngx_http_mskanban_board_end, board,
                           "XREVRANGE " NGX_HTTP_MSKANBAN_BOARD_CHANNEL "%b"
                           NGX_HTTP_MSKANBAN_TICKS_SUFFIX " + - COUNT 1",
                           board->id, board->sn.str.len);

    if (rc == REDIS_OK) {
        board->busy++;
    }
}


static void
ngx_http_mskanban_board_end(redisAsyncContext *ac, void *r, void *privdata)
{
    redisReply                 *reply = r, *entry;
    ngx_http_mskanban_sid_t     sid;
    ngx_http_mskanban_board_t  *board = privdata;

    board->busy--;

    if (reply != NULL && reply->type == REDIS_REPLY_ARRAY
        && board->state == NGX_HTTP_MSKANBAN_BOARD_SUBSCRIBED)
    {
        if (reply->elements == 0) {
            /* an empty stream: everything it will hold is new */
            sid.ms = 0;
            sid.seq = 0;
            ngx_http_mskanban_board_saw(board, &sid);

        } else {
            entry = reply->element[0];

            if (entry->type == REDIS_REPLY_ARRAY && entry->elements > 0
                && entry->element[0]->type == REDIS_REPLY_STRING
                && ngx_http_mskanban_sid_parse(
                       (u_char *) entry->element[0]->str,
                       entry->element[0]->len, &sid) == NGX_OK)
            {
                ngx_http_mskanban_board_saw(board, &sid);
            }
        }
    }

    ngx_http_mskanban_board_free(board);
}


static void
ngx_http_mskanban_board_saw(ngx_http_mskanban_board_t *board,
    ngx_http_mskanban_sid_t *sid)
{
    if (!board->has_last
        || ngx_http_mskanban_sid_cmp(sid, &board->last) > 0)
    {
        board->last = *sid;
        board->has_last = 1;
    }
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


/*
 * Delivers queued ticks, at most mskanban_delivery_slice subscribers per
 * event-loop pass over all boards; what remains waits for the next pass.
 */

static void
ngx_http_mskanban_deliver_handler(ngx_event_t *ev)
{
    ngx_uint_t                    budget;
    ngx_queue_t                  *q, *bq;
    ngx_http_mskanban_sub_t      *sub;
    ngx_http_mskanban_board_t    *board;
    ngx_http_mskanban_pending_t  *p;
    ngx_http_mskanban_worker_t   *w = ev->data;

    budget = w->mcf->delivery_slice;

    while (budget && !ngx_queue_empty(&w->deliveries)) {

        bq = ngx_queue_head(&w->deliveries);
        board = ngx_queue_data(bq, ngx_http_mskanban_board_t,
                               deliveries_link);
        p = board->out;

        if (!board->walking) {
            ngx_queue_insert_head(&board->subs, &board->cursor);
            board->walking = 1;
        }

        for (q = ngx_queue_next(&board->cursor);
             budget && q != ngx_queue_sentinel(&board->subs);
             q = ngx_queue_next(&board->cursor))
        {
            /* the cursor moves past the subscriber before it is sent to,
             * so that a subscriber closed by the send leaves it intact */

            ngx_queue_remove(&board->cursor);
            ngx_queue_insert_after(q, &board->cursor);

            sub = ngx_queue_data(q, ngx_http_mskanban_sub_t, board_link);
            ngx_http_mskanban_sub_deliver(sub, p->msg);
            budget--;
        }

        if (ngx_queue_next(&board->cursor) != ngx_queue_sentinel(&board->subs))
        {
            break;
        }

        /* this tick reached every subscriber */

        ngx_queue_remove(&board->cursor);
        board->walking = 0;

        board->out = p->next;
        ngx_http_mskanban_msg_release(p->msg);
        ngx_free(p);

        ngx_queue_remove(bq);

        if (board->out == NULL) {
            board->queued = 0;
            board->out_last = &board->out;
            board->busy--;
            ngx_http_mskanban_board_update(board);

        } else {
            /* the board's next tick after the other boards' */
            ngx_queue_insert_tail(&w->deliveries, bq);
        }
    }

    if (!ngx_queue_empty(&w->deliveries)) {
        ngx_post_event(ev, &ngx_posted_next_events);
    }
}


/* forgets the ticks queued for a board (Redis lost, or the worker exits) */

static void
ngx_http_mskanban_board_drop_out(ngx_http_mskanban_board_t *board)
{
    if (!board->queued) {
        return;
    }

    if (board->walking) {
        ngx_queue_remove(&board->cursor);
        board->walking = 0;
    }

    ngx_http_mskanban_pending_free(board->out);

    board->out = NULL;
    board->out_last = &board->out;
    board->queued = 0;
    board->busy--;

    ngx_queue_remove(&board->deliveries_link);
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
