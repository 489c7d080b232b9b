
/*
 * ngx_http_mskanban_ws_room: the relay room channel kind, per worker.
 *
 * A room's channel "mskanban:room:<room>" (in the worker's channel table,
 * ngx_http_mskanban_channel.c, on the worker's Redis connections shared
 * with the live streams) is subscribed while the room has local
 * connections. Every message a client sends is PUBLISHed on the command
 * connection with the sender's origin in front (see
 * ngx_http_mskanban_ws.h) and delivered when Redis hands it back, to
 * every local connection of the room but the sender; so all receivers, on
 * every worker and host, see one order. Bytes handed to hiredis and not
 * yet acknowledged are capped by mskanban_ws_publish_buffer.
 *
 * When either Redis connection drops, open connections are closed with
 * 1013: they may have missed messages (rooms keep no history to replay),
 * and a Yjs client that reconnects resynchronizes its document with the
 * room. Connections still waiting for their room stay and start once
 * Redis is back.
 */


#include "ngx_http_mskanban_ws.h"


typedef struct {
    ngx_http_mskanban_ws_main_conf_t  *wmcf;
    ngx_queue_t                        all;
    ngx_uint_t                         nconns;
    u_char                             origin[8];
    uint64_t                           seq;
    size_t                             publishing;
    unsigned                           running:1;
} ngx_http_mskanban_ws_worker_t;


static void ngx_http_mskanban_ws_room_subscribed(
    ngx_http_mskanban_channel_t *ch, ngx_int_t n);
static void ngx_http_mskanban_ws_room_start(ngx_http_mskanban_channel_t *ch,
    ngx_queue_t *member);
static ngx_http_mskanban_msg_t *ngx_http_mskanban_ws_room_decode(
    ngx_http_mskanban_channel_t *ch, u_char *p, size_t len);
static void ngx_http_mskanban_ws_room_deliver(ngx_queue_t *member,
    ngx_http_mskanban_msg_t *msg);
static void ngx_http_mskanban_ws_room_lost(ngx_http_mskanban_channel_t *ch);
static void ngx_http_mskanban_ws_on_published(redisAsyncContext *ac, void *r,
    void *privdata);
static void ngx_http_mskanban_ws_random(u_char *buf, size_t len);


static ngx_http_mskanban_kind_t  ngx_http_mskanban_ws_room_kind = {
    ngx_string(NGX_HTTP_MSKANBAN_ROOM_CHANNEL),
    NGX_HTTP_MSKANBAN_WS_ROOM_MAX,
    ngx_http_mskanban_ws_room_subscribed,
    ngx_http_mskanban_ws_room_start,
    ngx_http_mskanban_ws_room_decode,
    ngx_http_mskanban_ws_room_deliver,
    ngx_http_mskanban_ws_room_lost
};


static ngx_http_mskanban_ws_worker_t  ngx_http_mskanban_ws_worker;


ngx_int_t
ngx_http_mskanban_ws_worker_init(ngx_cycle_t *cycle,
    ngx_http_mskanban_main_conf_t *mcf, ngx_http_mskanban_ws_main_conf_t *wmcf)
{
    ngx_http_mskanban_ws_worker_t  *w = &ngx_http_mskanban_ws_worker;

    ngx_memzero(w, sizeof(ngx_http_mskanban_ws_worker_t));

    w->wmcf = wmcf;

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
    ngx_http_mskanban_ws_t         *ws;
    ngx_http_mskanban_ws_worker_t  *w = &ngx_http_mskanban_ws_worker;

    if (!w->running) {
        return;
    }

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

    /* the channel table frees the rooms */

    w->running = 0;
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
    ngx_http_mskanban_channel_t    *ch;
    ngx_http_mskanban_ws_worker_t  *w = &ngx_http_mskanban_ws_worker;

    if (!w->running || ws->attached) {
        return NGX_ERROR;
    }

    ch = ngx_http_mskanban_channel_join(&ngx_http_mskanban_ws_room_kind,
                                        ws->room_name.data,
                                        ws->room_name.len, &ws->room_link);
    if (ch == NULL) {
        return NGX_ERROR;
    }

    ngx_queue_insert_tail(&w->all, &ws->all_link);
    w->nconns++;

    ws->room = ch;
    ws->attached = 1;
    ws->seq = ++w->seq;

    ngx_http_mskanban_channel_start(ch, &ws->room_link);

    return NGX_OK;
}


/* removes a connection from its room; safe to call twice */

void
ngx_http_mskanban_ws_leave(ngx_http_mskanban_ws_t *ws)
{
    ngx_http_mskanban_channel_t    *ch;
    ngx_http_mskanban_ws_worker_t  *w = &ngx_http_mskanban_ws_worker;

    if (!ws->attached) {
        return;
    }

    ws->attached = 0;

    ch = ws->room;
    ws->room = NULL;

    ngx_queue_remove(&ws->all_link);
    w->nconns--;

    ngx_http_mskanban_channel_leave(ch, &ws->room_link);
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


/* the room's subscription was confirmed (1) or ended (-1): a counter */

static void
ngx_http_mskanban_ws_room_subscribed(ngx_http_mskanban_channel_t *ch,
    ngx_int_t n)
{
    ngx_http_mskanban_ws_stat(rooms, n);
}


static void
ngx_http_mskanban_ws_room_start(ngx_http_mskanban_channel_t *ch,
    ngx_queue_t *member)
{
    ngx_http_mskanban_ws_start(ngx_queue_data(member, ngx_http_mskanban_ws_t,
                                              room_link));
}


/*
 * A message published to the room, framed once for every receiver; the
 * sender (its origin) is noted so that it does not get its own message.
 */

static ngx_http_mskanban_msg_t *
ngx_http_mskanban_ws_room_decode(ngx_http_mskanban_channel_t *ch,
    u_char *payload, size_t len)
{
    uint64_t                        seq;
    ngx_uint_t                      i, opcode;
    ngx_http_mskanban_msg_t        *msg;
    ngx_http_mskanban_ws_worker_t  *w = &ngx_http_mskanban_ws_worker;

    if (len < NGX_HTTP_MSKANBAN_WS_PREFIX_LEN) {
        return NULL;
    }

    opcode = payload[16];

    if (opcode != NGX_HTTP_MSKANBAN_WS_TEXT
        && opcode != NGX_HTTP_MSKANBAN_WS_BINARY)
    {
        return NULL;
    }

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
        return NULL;
    }

    msg->sender = seq;
    msg->ours = (ngx_memcmp(payload, w->origin, 8) == 0);

    return msg;
}


/* to everyone in the room but its sender */

static void
ngx_http_mskanban_ws_room_deliver(ngx_queue_t *member,
    ngx_http_mskanban_msg_t *msg)
{
    ngx_http_mskanban_ws_t  *ws;

    ws = ngx_queue_data(member, ngx_http_mskanban_ws_t, room_link);

    if (msg->ours && ws->seq == msg->sender) {
        return;
    }

    (void) ngx_http_mskanban_ws_send(ws, msg);
}


/* the subscriber connection dropped: open sockets may have missed some */

static void
ngx_http_mskanban_ws_room_lost(ngx_http_mskanban_channel_t *ch)
{
    ngx_queue_t             *q, *next;
    ngx_http_mskanban_ws_t  *ws;

    for (q = ngx_queue_head(&ch->members);
         q != ngx_queue_sentinel(&ch->members);
         q = next)
    {
        next = ngx_queue_next(q);
        ws = ngx_queue_data(q, ngx_http_mskanban_ws_t, room_link);

        if (ws->state == NGX_HTTP_MSKANBAN_WS_OPEN) {
            ngx_http_mskanban_ws_stat(redis_closed, 1);
            ngx_http_mskanban_ws_close(ws, NGX_HTTP_MSKANBAN_WS_TRY_AGAIN);
        }
    }
}


/*
 * The command connection dropped: messages handed to it may be lost, so
 * every open socket is closed (the subscriber's loss: room_lost).
 */

void
ngx_http_mskanban_ws_redis_lost(void)
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

        if (ws->state == NGX_HTTP_MSKANBAN_WS_OPEN) {
            ngx_http_mskanban_ws_stat(redis_closed, 1);
            ngx_http_mskanban_ws_close(ws, NGX_HTTP_MSKANBAN_WS_TRY_AGAIN);
        }
    }
}


/*
 * A revocation from the core, read once by ngx_http_mskanban_revoke.c
 * (live or replayed from the log) and matched as for the live streams:
 * matching connections are closed with 4403.
 */

void
ngx_http_mskanban_ws_revoke(ngx_http_mskanban_revocation_t *rv)
{
    ngx_uint_t                       n;
    ngx_queue_t                     *q, *next;
    ngx_http_mskanban_ws_t          *ws;
    ngx_http_mskanban_ws_worker_t   *w = &ngx_http_mskanban_ws_worker;

    if (!w->running) {
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
            || !ngx_http_mskanban_revocation_match(rv, &ws->id, &ws->board))
        {
            continue;
        }

        ngx_http_mskanban_ws_stat(revoked_closed, 1);
        ngx_http_mskanban_ws_close(ws, NGX_HTTP_MSKANBAN_WS_REVOKED);
        n++;
    }

    ngx_log_error(NGX_LOG_INFO, ngx_cycle->log, 0,
                  "mskanban: revocation of type \"%V\" closed %ui websockets",
                  &rv->type, n);
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
