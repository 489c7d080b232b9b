
/*
 * ngx_http_mskanban_channel: the worker's Redis connections and timer,
 * shared by the live streams and the WebSocket relay.
 *
 * Each worker has two Redis connections (ngx_http_mskanban_redis.c does
 * the event loop glue) and one timer, whatever it serves:
 *   - the subscriber: SUBSCRIBEs to "mskanban:revoke", to
 *     "mskanban:board:<id>" while a board has local streams
 *     (ngx_http_mskanban_fanout.c) and to "mskanban:room:<room>" while a
 *     room has local connections (ngx_http_mskanban_ws_room.c); its one
 *     callback below hands each reply to the table of its channel;
 *   - the command connection: the replay's XRANGE
 *     (ngx_http_mskanban_replay.c) and the relay's PUBLISH;
 *   - the tick, once a second, for the transports' heartbeats, pings and
 *     deadlines.
 * A revocation is matched against the streams and the WebSockets.
 */


#include "ngx_http_mskanban_ws.h"


#define NGX_HTTP_MSKANBAN_TICK  1000


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

    ngx_http_mskanban_boards_init();

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
    ngx_http_mskanban_worker_t  *w = &ngx_http_mskanban_worker;

    if (!w->running) {
        return;
    }

    w->running = 0;

    if (w->tick.timer_set) {
        ngx_del_timer(&w->tick);
    }

    ngx_http_mskanban_ws_worker_exit(cycle);
    ngx_http_mskanban_boards_close();

    ngx_http_mskanban_redis_stop(&w->sub);
    ngx_http_mskanban_redis_stop(&w->cmd);

    ngx_http_mskanban_boards_free();
}


/*
 * The one callback of the subscriber connection: subscribe and
 * unsubscribe confirmations and messages, for boards, rooms and
 * revocations. A NULL reply means the connection is going away; on_lost
 * handles that.
 */

void
ngx_http_mskanban_channel_message(redisAsyncContext *ac, void *r,
    void *privdata)
{
    redisReply  *reply = r;
    redisReply  *kind, *channel, *payload;
    ngx_str_t    type, name;

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
    name.data = (u_char *) channel->str;
    name.len = channel->len;

    if (name.len == sizeof(NGX_HTTP_MSKANBAN_REVOKE_CHANNEL) - 1
        && ngx_strncmp(name.data, NGX_HTTP_MSKANBAN_REVOKE_CHANNEL,
                       name.len) == 0)
    {
        if (type.len == 7 && ngx_strncmp(type.data, "message", 7) == 0
            && payload->type == REDIS_REPLY_STRING)
        {
            ngx_http_mskanban_revoke((u_char *) payload->str,
                                     (size_t) payload->len);
            ngx_http_mskanban_ws_revoke((u_char *) payload->str,
                                        (size_t) payload->len);

        } else if (type.len == 9
                   && ngx_strncmp(type.data, "subscribe", 9) == 0)
        {
            ngx_http_mskanban_revoke_subscribed();
        }

        return;
    }

#define ngx_http_mskanban_prefixed(name, prefix)                             \
    ((name).len > sizeof(prefix) - 1                                         \
     && ngx_strncmp((name).data, prefix, sizeof(prefix) - 1) == 0)

    if (ngx_http_mskanban_prefixed(name, NGX_HTTP_MSKANBAN_BOARD_CHANNEL)) {
        ngx_http_mskanban_board_message(&type,
            name.data + sizeof(NGX_HTTP_MSKANBAN_BOARD_CHANNEL) - 1,
            name.len - (sizeof(NGX_HTTP_MSKANBAN_BOARD_CHANNEL) - 1),
            payload);

    } else if (ngx_http_mskanban_prefixed(name,
                                          NGX_HTTP_MSKANBAN_ROOM_CHANNEL))
    {
        ngx_http_mskanban_ws_room_message(&type,
            name.data + sizeof(NGX_HTTP_MSKANBAN_ROOM_CHANNEL) - 1,
            name.len - (sizeof(NGX_HTTP_MSKANBAN_ROOM_CHANNEL) - 1),
            payload);
    }

#undef ngx_http_mskanban_prefixed
}


/* the subscriber connection is (again) ready: subscribe what is needed */

static void
ngx_http_mskanban_on_ready(ngx_http_mskanban_redis_t *rd)
{
    redisAsyncContext  *ac;

    ac = ngx_http_mskanban_redis_context(rd);
    if (ac == NULL) {
        return;
    }

    if (redisAsyncCommand(ac, ngx_http_mskanban_channel_message, NULL,
                          "SUBSCRIBE " NGX_HTTP_MSKANBAN_REVOKE_CHANNEL)
        != REDIS_OK)
    {
        ngx_log_error(NGX_LOG_ERR, ngx_cycle->log, 0,
                      "mskanban: cannot subscribe to revocations");
    }

    ngx_http_mskanban_boards_ready();
    ngx_http_mskanban_ws_rooms_ready();
}


/*
 * The subscriber connection dropped: streams wait and resume, relay
 * connections that may have missed messages are closed.
 */

static void
ngx_http_mskanban_on_lost(ngx_http_mskanban_redis_t *rd)
{
    ngx_http_mskanban_revoke_lost();
    ngx_http_mskanban_boards_lost();
    ngx_http_mskanban_ws_rooms_lost(1);
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
 * open connections are closed.
 */

static void
ngx_http_mskanban_cmd_lost(ngx_http_mskanban_redis_t *rd)
{
    ngx_http_mskanban_ws_rooms_lost(0);
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
