
/*
 * ngx_http_mskanban_ws_room: rooms, Redis pub/sub, revocations, per worker.
 *
 * Rooms use the worker's two Redis connections, shared with the live
 * streams (ngx_http_mskanban_channel.c): the subscriber connection
 * SUBSCRIBEs to "mskanban:room:<room>" while the room has local
 * connections and hands its messages, and the revocations, to this file;
 * the command connection PUBLISHes. Every message a client sends is
 * published with the sender's origin in front (see ngx_http_mskanban_ws.h) and delivered when Redis
 * hands it back, to every local connection of the room but the sender; so
 * all receivers, on every worker and host, see one order. A room waits for
 * a pending (UN)SUBSCRIBE to be confirmed before changing direction, so
 * that hiredis's callback table always matches Redis.
 *
 * When either Redis connection drops, open connections are closed with
 * 1013: they may have missed messages, and a Yjs client that reconnects
 * resynchronizes its document with the room. Connections still waiting for
 * their room stay and start once Redis is back. Bytes handed to hiredis
 * and not yet acknowledged are capped by mskanban_ws_publish_buffer.
 */


#include "ngx_http_mskanban_ws.h"


#define NGX_HTTP_MSKANBAN_WS_ROOM_IDLE           0
#define NGX_HTTP_MSKANBAN_WS_ROOM_SUBSCRIBING    1
#define NGX_HTTP_MSKANBAN_WS_ROOM_SUBSCRIBED     2
#define NGX_HTTP_MSKANBAN_WS_ROOM_UNSUBSCRIBING  3


struct ngx_http_mskanban_ws_room_s {
    ngx_str_node_t                  sn;        /* key: the room name */
    ngx_queue_t                     conns;
    ngx_uint_t                      nconns;
    ngx_uint_t                      state;
    ngx_uint_t                      busy;      /* being iterated */
    u_char                          name[NGX_HTTP_MSKANBAN_WS_ROOM_MAX];
};


typedef struct {
    ngx_http_mskanban_ws_main_conf_t  *wmcf;
    ngx_rbtree_t                       rooms;
    ngx_rbtree_node_t                  sentinel;
    ngx_queue_t                        all;
    ngx_uint_t                         nconns;
    u_char                             origin[8];
    uint64_t                           seq;
    size_t                             publishing;
    unsigned                           running:1;
} ngx_http_mskanban_ws_worker_t;


static ngx_http_mskanban_ws_room_t *ngx_http_mskanban_ws_room_get(u_char *name,
    size_t len, ngx_uint_t create);
static void ngx_http_mskanban_ws_room_update(
    ngx_http_mskanban_ws_room_t *room);
static void ngx_http_mskanban_ws_room_free(ngx_http_mskanban_ws_room_t *room);
static void ngx_http_mskanban_ws_room_confirmed(
    ngx_http_mskanban_ws_room_t *room, ngx_uint_t subscribed);
static void ngx_http_mskanban_ws_room_relay(ngx_http_mskanban_ws_room_t *room,
    u_char *payload, size_t len);
static void ngx_http_mskanban_ws_close_open(ngx_uint_t code);
static void ngx_http_mskanban_ws_on_published(redisAsyncContext *ac, void *r,
    void *privdata);
static void ngx_http_mskanban_ws_random(u_char *buf, size_t len);


static ngx_http_mskanban_ws_worker_t  ngx_http_mskanban_ws_worker;


ngx_int_t
ngx_http_mskanban_ws_worker_init(ngx_cycle_t *cycle,
    ngx_http_mskanban_main_conf_t *mcf, ngx_http_mskanban_ws_main_conf_t *wmcf)
{
    ngx_http_mskanban_ws_worker_t  *w = &ngx_http_mskanban_ws_worker;

    ngx_memzero(w, sizeof(ngx_http_mskanban_ws_worker_t));

    w->wmcf = wmcf;

    ngx_rbtree_init(&w->rooms, &w->sentinel, ngx_str_rbtree_insert_value);
    ngx_queue_init(&w->all);

    ngx_http_mskanban_ws_random(w->origin, sizeof(w->origin));

    /*
     * the worker's connections and timer: ngx_http_mskanban_channel.c,
     * started for any mskanban_ws location (not for a status one alone)
     */

    if (!ngx_http_mskanban_worker.running) {
        return NGX_OK;
    }

    w->running = 1;

    return NGX_OK;
}


void
ngx_http_mskanban_ws_worker_exit(ngx_cycle_t *cycle)
{
    ngx_queue_t                    *q;
    ngx_rbtree_node_t              *node;
    ngx_http_mskanban_ws_t         *ws;
    ngx_http_mskanban_ws_room_t    *room;
    ngx_http_mskanban_ws_worker_t  *w = &ngx_http_mskanban_ws_worker;

    if (!w->running) {
        return;
    }

    w->running = 0;

    /* connections still open when the process ends go with it */

    while (!ngx_queue_empty(&w->all)) {
        q = ngx_queue_head(&w->all);
        ws = ngx_queue_data(q, ngx_http_mskanban_ws_t, all_link);
        ngx_http_mskanban_ws_leave(ws);

        if (ws->counted) {
            ws->counted = 0;
            ngx_http_mskanban_ws_stat(connections, -1);
        }
    }

    while (w->rooms.root != w->rooms.sentinel) {
        node = ngx_rbtree_min(w->rooms.root, w->rooms.sentinel);
        room = (ngx_http_mskanban_ws_room_t *) node;

        if (room->state == NGX_HTTP_MSKANBAN_WS_ROOM_SUBSCRIBED
            || room->state == NGX_HTTP_MSKANBAN_WS_ROOM_UNSUBSCRIBING)
        {
            ngx_http_mskanban_ws_stat(rooms, -1);
        }

        ngx_rbtree_delete(&w->rooms, node);
        ngx_free(room);
    }
}


ngx_uint_t
ngx_http_mskanban_ws_worker_connections(void)
{
    return ngx_http_mskanban_ws_worker.nconns;
}


/*
 * Adds an upgraded connection to its room. It starts reading at once when
 * the room is subscribed, else when the subscription is confirmed.
 */

ngx_int_t
ngx_http_mskanban_ws_join(ngx_http_mskanban_ws_t *ws)
{
    ngx_http_mskanban_ws_room_t    *room;
    ngx_http_mskanban_ws_worker_t  *w = &ngx_http_mskanban_ws_worker;

    if (!w->running || ws->attached) {
        return NGX_ERROR;
    }

    room = ngx_http_mskanban_ws_room_get(ws->room_name.data,
                                         ws->room_name.len, 1);
    if (room == NULL) {
        return NGX_ERROR;
    }

    ngx_queue_insert_tail(&room->conns, &ws->room_link);
    room->nconns++;

    ngx_queue_insert_tail(&w->all, &ws->all_link);
    w->nconns++;

    ws->room = room;
    ws->attached = 1;
    ws->seq = ++w->seq;

    /* the tick must keep a gracefully exiting worker alive */
    ngx_http_mskanban_worker.tick.cancelable = 0;

    if (room->state == NGX_HTTP_MSKANBAN_WS_ROOM_SUBSCRIBED) {
        ngx_http_mskanban_ws_start(ws);

    } else {
        ngx_http_mskanban_ws_room_update(room);
    }

    return NGX_OK;
}


/* removes a connection from its room; safe to call twice */

void
ngx_http_mskanban_ws_leave(ngx_http_mskanban_ws_t *ws)
{
    ngx_http_mskanban_ws_room_t    *room;
    ngx_http_mskanban_ws_worker_t  *w = &ngx_http_mskanban_ws_worker;

    if (!ws->attached) {
        return;
    }

    ws->attached = 0;

    room = ws->room;
    ws->room = NULL;

    ngx_queue_remove(&ws->room_link);
    room->nconns--;

    ngx_queue_remove(&ws->all_link);
    w->nconns--;

    if (w->running) {
        ngx_http_mskanban_ws_room_update(room);
    }
}


/*
 * Publishes a complete message; buf has NGX_HTTP_MSKANBAN_WS_PREFIX_LEN
 * bytes free in front, filled here with the origin and the opcode.
 * NGX_ERROR: Redis is away or too far behind; the caller closes.
 */

ngx_int_t
ngx_http_mskanban_ws_publish(ngx_http_mskanban_ws_t *ws, u_char *buf,
    size_t len, ngx_uint_t opcode)
{
    int                             rc;
    ngx_uint_t                      i;
    redisAsyncContext              *ac;
    ngx_http_mskanban_ws_worker_t  *w = &ngx_http_mskanban_ws_worker;

    ac = ngx_http_mskanban_redis_context(&ngx_http_mskanban_worker.cmd);

    if (ac == NULL || w->publishing + len > w->wmcf->publish_buffer) {
        ngx_log_error(NGX_LOG_WARN, ws->request->connection->log, 0,
                      "mskanban: cannot relay a message of room \"%V\": %s",
                      &ws->room_name,
                      ac ? "mskanban_ws_publish_buffer is full"
                         : "redis is unavailable");
        ngx_http_mskanban_ws_stat(publish_failed, 1);
        return NGX_ERROR;
    }

    ngx_memcpy(buf, w->origin, 8);

    for (i = 0; i < 8; i++) {
        buf[8 + i] = (u_char) (ws->seq >> (56 - 8 * i));
    }

    buf[16] = (u_char) opcode;

    rc = redisAsyncCommand(ac, ngx_http_mskanban_ws_on_published,
                           (void *) (uintptr_t) len,
                           "PUBLISH " NGX_HTTP_MSKANBAN_ROOM_CHANNEL "%b %b",
                           ws->room_name.data, ws->room_name.len, buf, len);

    if (rc != REDIS_OK) {
        ngx_http_mskanban_ws_stat(publish_failed, 1);
        return NGX_ERROR;
    }

    w->publishing += len;

    return NGX_OK;
}


static void
ngx_http_mskanban_ws_on_published(redisAsyncContext *ac, void *r,
    void *privdata)
{
    redisReply                     *reply = r;
    ngx_http_mskanban_ws_worker_t  *w = &ngx_http_mskanban_ws_worker;

    w->publishing -= (size_t) (uintptr_t) privdata;

    if (reply == NULL || reply->type == REDIS_REPLY_ERROR) {
        ngx_http_mskanban_ws_stat(publish_failed, 1);
    }
}


static ngx_http_mskanban_ws_room_t *
ngx_http_mskanban_ws_room_get(u_char *name, size_t len, ngx_uint_t create)
{
    uint32_t                        hash;
    ngx_str_t                       key;
    ngx_http_mskanban_ws_room_t    *room;
    ngx_http_mskanban_ws_worker_t  *w = &ngx_http_mskanban_ws_worker;

    if (len == 0 || len > NGX_HTTP_MSKANBAN_WS_ROOM_MAX) {
        return NULL;
    }

    key.data = name;
    key.len = len;
    hash = ngx_crc32_short(name, len);

    room = (ngx_http_mskanban_ws_room_t *)
               ngx_str_rbtree_lookup(&w->rooms, &key, hash);

    if (room != NULL || !create) {
        return room;
    }

    room = ngx_calloc(sizeof(ngx_http_mskanban_ws_room_t), ngx_cycle->log);
    if (room == NULL) {
        return NULL;
    }

    ngx_memcpy(room->name, name, len);

    room->sn.str.data = room->name;
    room->sn.str.len = len;
    room->sn.node.key = hash;

    ngx_queue_init(&room->conns);

    ngx_rbtree_insert(&w->rooms, &room->sn.node);

    return room;
}


/*
 * Moves the room's Redis subscription towards what its connections need;
 * does nothing while a change is in flight or Redis is away.
 */

static void
ngx_http_mskanban_ws_room_update(ngx_http_mskanban_ws_room_t *room)
{
    int                             rc;
    redisAsyncContext              *ac;
    ngx_http_mskanban_ws_worker_t  *w = &ngx_http_mskanban_ws_worker;

    ac = w->running
         ? ngx_http_mskanban_redis_context(&ngx_http_mskanban_worker.sub)
         : NULL;

    switch (room->state) {

    case NGX_HTTP_MSKANBAN_WS_ROOM_IDLE:

        if (room->nconns == 0) {
            ngx_http_mskanban_ws_room_free(room);
            return;
        }

        if (ac == NULL) {
            return;
        }

        rc = redisAsyncCommand(ac, ngx_http_mskanban_channel_message, NULL,
                               "SUBSCRIBE " NGX_HTTP_MSKANBAN_ROOM_CHANNEL
                               "%b", room->name, room->sn.str.len);

        if (rc == REDIS_OK) {
            room->state = NGX_HTTP_MSKANBAN_WS_ROOM_SUBSCRIBING;
        }

        return;

    case NGX_HTTP_MSKANBAN_WS_ROOM_SUBSCRIBED:

        if (room->nconns > 0 || ac == NULL) {
            return;
        }

        rc = redisAsyncCommand(ac, NULL, NULL,
                               "UNSUBSCRIBE " NGX_HTTP_MSKANBAN_ROOM_CHANNEL
                               "%b", room->name, room->sn.str.len);

        if (rc == REDIS_OK) {
            room->state = NGX_HTTP_MSKANBAN_WS_ROOM_UNSUBSCRIBING;
        }

        return;

    default:
        return;
    }
}


static void
ngx_http_mskanban_ws_room_free(ngx_http_mskanban_ws_room_t *room)
{
    if (room->busy || room->nconns
        || room->state != NGX_HTTP_MSKANBAN_WS_ROOM_IDLE)
    {
        return;
    }

    ngx_rbtree_delete(&ngx_http_mskanban_ws_worker.rooms, &room->sn.node);
    ngx_free(room);
}


static void
ngx_http_mskanban_ws_room_confirmed(ngx_http_mskanban_ws_room_t *room,
    ngx_uint_t subscribed)
{
    ngx_queue_t             *q, *next;
    ngx_http_mskanban_ws_t  *ws;

    if (!subscribed) {
        room->state = NGX_HTTP_MSKANBAN_WS_ROOM_IDLE;
        ngx_http_mskanban_ws_stat(rooms, -1);
        ngx_http_mskanban_ws_room_update(room);
        return;
    }

    room->state = NGX_HTTP_MSKANBAN_WS_ROOM_SUBSCRIBED;
    ngx_http_mskanban_ws_stat(rooms, 1);

    room->busy++;

    for (q = ngx_queue_head(&room->conns);
         q != ngx_queue_sentinel(&room->conns);
         q = next)
    {
        next = ngx_queue_next(q);
        ws = ngx_queue_data(q, ngx_http_mskanban_ws_t, room_link);
        ngx_http_mskanban_ws_start(ws);
    }

    room->busy--;

    ngx_http_mskanban_ws_room_update(room);
}


/* a message published to the room: to everyone here but its sender */

static void
ngx_http_mskanban_ws_room_relay(ngx_http_mskanban_ws_room_t *room,
    u_char *payload, size_t len)
{
    uint64_t                        seq;
    ngx_uint_t                      i, opcode, ours;
    ngx_queue_t                    *q, *next;
    ngx_http_mskanban_ws_t         *ws;
    ngx_http_mskanban_ws_msg_t     *msg;
    ngx_http_mskanban_ws_worker_t  *w = &ngx_http_mskanban_ws_worker;

    if (room->state != NGX_HTTP_MSKANBAN_WS_ROOM_SUBSCRIBED
        || room->nconns == 0 || len < NGX_HTTP_MSKANBAN_WS_PREFIX_LEN)
    {
        return;
    }

    opcode = payload[16];

    if (opcode != NGX_HTTP_MSKANBAN_WS_TEXT
        && opcode != NGX_HTTP_MSKANBAN_WS_BINARY)
    {
        return;
    }

    ours = (ngx_memcmp(payload, w->origin, 8) == 0);
    seq = 0;

    for (i = 0; i < 8; i++) {
        seq = (seq << 8) | payload[8 + i];
    }

    msg = ngx_http_mskanban_ws_msg_create(opcode,
                                          payload
                                          + NGX_HTTP_MSKANBAN_WS_PREFIX_LEN,
                                          len - NGX_HTTP_MSKANBAN_WS_PREFIX_LEN,
                                          ngx_cycle->log);
    if (msg == NULL) {
        return;
    }

    room->busy++;

    for (q = ngx_queue_head(&room->conns);
         q != ngx_queue_sentinel(&room->conns);
         q = next)
    {
        next = ngx_queue_next(q);
        ws = ngx_queue_data(q, ngx_http_mskanban_ws_t, room_link);

        if (ours && ws->seq == seq) {
            continue;
        }

        (void) ngx_http_mskanban_ws_send(ws, msg);
    }

    room->busy--;

    ngx_http_mskanban_ws_msg_release(msg);

    ngx_http_mskanban_ws_room_update(room);
}


/*
 * A revocation from the core, read and matched as for the live streams
 * (ngx_http_mskanban_revoke.c): matching connections are closed with 4403.
 */

void
ngx_http_mskanban_ws_revoke(u_char *json, size_t len)
{
    ngx_uint_t                       n;
    ngx_queue_t                     *q, *next;
    ngx_http_mskanban_ws_t          *ws;
    ngx_http_mskanban_revocation_t   rv;
    ngx_http_mskanban_ws_worker_t   *w = &ngx_http_mskanban_ws_worker;

    /* the live stream's handler logs what it cannot read */

    if (!w->running
        || ngx_http_mskanban_revocation_parse(json, len, &rv) != NGX_OK) {
        return;
    }

    n = 0;

    for (q = ngx_queue_head(&w->all);
         q != ngx_queue_sentinel(&w->all);
         q = next)
    {
        next = ngx_queue_next(q);
        ws = ngx_queue_data(q, ngx_http_mskanban_ws_t, all_link);

        if (ws->state >= NGX_HTTP_MSKANBAN_WS_CLOSING
            || !ngx_http_mskanban_revocation_match(&rv, &ws->id, &ws->board))
        {
            continue;
        }

        ngx_http_mskanban_ws_stat(revoked_closed, 1);
        ngx_http_mskanban_ws_close(ws, NGX_HTTP_MSKANBAN_WS_REVOKED);
        n++;
    }

    ngx_log_error(NGX_LOG_INFO, ngx_cycle->log, 0,
                  "mskanban: revocation of type \"%V\" closed %ui websockets",
                  &rv.type, n);
}


/* Redis went away: connections that may have missed messages are closed */

static void
ngx_http_mskanban_ws_close_open(ngx_uint_t code)
{
    ngx_queue_t                    *q, *next;
    ngx_http_mskanban_ws_t         *ws;
    ngx_http_mskanban_ws_worker_t  *w = &ngx_http_mskanban_ws_worker;

    for (q = ngx_queue_head(&w->all);
         q != ngx_queue_sentinel(&w->all);
         q = next)
    {
        next = ngx_queue_next(q);
        ws = ngx_queue_data(q, ngx_http_mskanban_ws_t, all_link);

        if (ws->state == NGX_HTTP_MSKANBAN_WS_OPEN) {
            ngx_http_mskanban_ws_stat(redis_closed, 1);
            ngx_http_mskanban_ws_close(ws, code);
        }
    }
}


/*
 * A reply on the worker's subscriber connection for a room channel
 * (ngx_http_mskanban_channel.c dispatches): a subscribe or unsubscribe
 * confirmation, or a message.
 */

void
ngx_http_mskanban_ws_room_message(ngx_str_t *type, u_char *name,
    size_t len, redisReply *payload)
{
    ngx_http_mskanban_ws_room_t  *room;

    if (!ngx_http_mskanban_ws_worker.running) {
        return;
    }

    room = ngx_http_mskanban_ws_room_get(name, len, 0);

    if (room == NULL) {
        return;
    }

    if (type->len == 7 && ngx_strncmp(type->data, "message", 7) == 0) {

        if (payload->type == REDIS_REPLY_STRING) {
            ngx_http_mskanban_ws_room_relay(room, (u_char *) payload->str,
                                            (size_t) payload->len);
        }

    } else if (type->len == 9 && ngx_strncmp(type->data, "subscribe", 9) == 0) {

        if (room->state == NGX_HTTP_MSKANBAN_WS_ROOM_SUBSCRIBING) {
            ngx_http_mskanban_ws_room_confirmed(room, 1);
        }

    } else if (type->len == 11
               && ngx_strncmp(type->data, "unsubscribe", 11) == 0)
    {
        if (room->state == NGX_HTTP_MSKANBAN_WS_ROOM_UNSUBSCRIBING) {
            ngx_http_mskanban_ws_room_confirmed(room, 0);
        }
    }
}


/* the subscriber connection is (again) ready: subscribe every room */

void
ngx_http_mskanban_ws_rooms_ready(void)
{
    ngx_rbtree_node_t              *node, *next;
    ngx_http_mskanban_ws_room_t    *room;
    ngx_http_mskanban_ws_worker_t  *w = &ngx_http_mskanban_ws_worker;

    if (!w->running || w->rooms.root == w->rooms.sentinel) {
        return;
    }

    for (node = ngx_rbtree_min(w->rooms.root, w->rooms.sentinel);
         node;
         node = next)
    {
        next = ngx_rbtree_next(&w->rooms, node);
        room = (ngx_http_mskanban_ws_room_t *) node;
        ngx_http_mskanban_ws_room_update(room);
    }
}


/*
 * A Redis connection dropped (subscriber: 1, command: 0). For the
 * subscriber, hiredis already forgot every subscription: rooms start over
 * from IDLE.
 */

void
ngx_http_mskanban_ws_rooms_lost(ngx_uint_t subscriber)
{
    ngx_rbtree_node_t              *node, *next;
    ngx_http_mskanban_ws_room_t    *room;
    ngx_http_mskanban_ws_worker_t  *w = &ngx_http_mskanban_ws_worker;

    if (!w->running) {
        return;
    }

    ngx_http_mskanban_ws_close_open(NGX_HTTP_MSKANBAN_WS_TRY_AGAIN);

    if (!subscriber || w->rooms.root == w->rooms.sentinel) {
        return;
    }

    for (node = ngx_rbtree_min(w->rooms.root, w->rooms.sentinel);
         node;
         node = next)
    {
        next = ngx_rbtree_next(&w->rooms, node);
        room = (ngx_http_mskanban_ws_room_t *) node;

        if (room->state == NGX_HTTP_MSKANBAN_WS_ROOM_SUBSCRIBED
            || room->state == NGX_HTTP_MSKANBAN_WS_ROOM_UNSUBSCRIBING)
        {
            ngx_http_mskanban_ws_stat(rooms, -1);
        }

        room->state = NGX_HTTP_MSKANBAN_WS_ROOM_IDLE;

        ngx_http_mskanban_ws_room_free(room);
    }
}


/*
 * Once a second, from the worker's tick: pings, idle and close deadlines;
 * when the worker exits gracefully, every connection is closed with 1001
 * so that clients reconnect to a new worker.
 */

void
ngx_http_mskanban_ws_rooms_tick(ngx_msec_t now)
{
    ngx_queue_t                    *q, *next;
    ngx_http_mskanban_ws_t         *ws;
    ngx_http_mskanban_ws_worker_t  *w = &ngx_http_mskanban_ws_worker;

    if (!w->running) {
        return;
    }

    for (q = ngx_queue_head(&w->all);
         q != ngx_queue_sentinel(&w->all);
         q = next)
    {
        next = ngx_queue_next(q);
        ws = ngx_queue_data(q, ngx_http_mskanban_ws_t, all_link);

        if ((ngx_exiting || ngx_quit)
            && ws->state < NGX_HTTP_MSKANBAN_WS_CLOSING)
        {
            ngx_http_mskanban_ws_close(ws, NGX_HTTP_MSKANBAN_WS_GOING_AWAY);

        } else {
            ngx_http_mskanban_ws_tick(ws, now);
        }
    }

}


/* the worker's origin id: random, so that workers and hosts differ */

static void
ngx_http_mskanban_ws_random(u_char *buf, size_t len)
{
    size_t      i;
    ssize_t     n;
    ngx_fd_t    fd;
    uint32_t    r;

    n = 0;

    fd = ngx_open_file("/dev/urandom", NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);

    if (fd != NGX_INVALID_FILE) {
        n = read(fd, buf, len);
        (void) ngx_close_file(fd);
    }

    if (n == (ssize_t) len) {
        return;
    }

    for (i = 0; i < len; i++) {
        r = (uint32_t) ngx_random() ^ (uint32_t) ngx_pid ^ (uint32_t) ngx_time();
        buf[i] = (u_char) (r >> (i % 3) * 8);
    }
}
