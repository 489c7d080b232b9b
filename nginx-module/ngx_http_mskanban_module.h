
/*
 * ngx_http_mskanban_module: shared types and the calls between its files.
 *
 * The module serves GET /api/boards/<id>/live as a Server-Sent Events stream.
 * The C++ core decides who may read a board (an internal subrequest, see
 * ngx_http_mskanban_authz.c); the module only fans out the core's board
 * ticks from Redis pub/sub to the local subscribers of each worker (the
 * worker's channel table, connections and timer in
 * ngx_http_mskanban_channel.c, shared with the WebSocket relay's rooms;
 * the board stream kind in ngx_http_mskanban_fanout.c), replays what a
 * reconnecting client missed from the board's Redis stream
 * (ngx_http_mskanban_replay.c) and closes streams that lose access
 * (ngx_http_mskanban_revoke.c). All state below
 * is per worker process; nothing is shared between workers.
 */


#ifndef _NGX_HTTP_MSKANBAN_MODULE_H_INCLUDED_
#define _NGX_HTTP_MSKANBAN_MODULE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <hiredis/hiredis.h>
#include <hiredis/async.h>


/* Redis names, see docs/internals.md */
#define NGX_HTTP_MSKANBAN_BOARD_CHANNEL   "mskanban:board:"
#define NGX_HTTP_MSKANBAN_TICKS_SUFFIX    ":ticks"
#define NGX_HTTP_MSKANBAN_REVOKE_CHANNEL  "mskanban:revoke"
#define NGX_HTTP_MSKANBAN_REVOKE_LOG      "mskanban:revoke:log"
#define NGX_HTTP_MSKANBAN_PING_CHANNEL    "mskanban:ping"

#define NGX_HTTP_MSKANBAN_ID_MAX          64


/* why a subscriber is closed */
#define NGX_HTTP_MSKANBAN_CLOSE_ERROR     0
#define NGX_HTTP_MSKANBAN_CLOSE_REVOKED   1
#define NGX_HTTP_MSKANBAN_CLOSE_REDIS     2
#define NGX_HTTP_MSKANBAN_CLOSE_SLOW      3
#define NGX_HTTP_MSKANBAN_CLOSE_SHUTDOWN  4
#define NGX_HTTP_MSKANBAN_CLOSE_EXPIRED   5


/* channel states (ngx_http_mskanban_channel.c) */
#define NGX_HTTP_MSKANBAN_CHANNEL_IDLE           0
#define NGX_HTTP_MSKANBAN_CHANNEL_SUBSCRIBING    1
#define NGX_HTTP_MSKANBAN_CHANNEL_SUBSCRIBED     2
#define NGX_HTTP_MSKANBAN_CHANNEL_UNSUBSCRIBING  3


/* subscriber states */
#define NGX_HTTP_MSKANBAN_SUB_WAITING     0   /* board not yet subscribed */
#define NGX_HTTP_MSKANBAN_SUB_REPLAYING   1   /* XRANGE in flight */
#define NGX_HTTP_MSKANBAN_SUB_LIVE        2
#define NGX_HTTP_MSKANBAN_SUB_CLOSED      3


typedef struct ngx_http_mskanban_sub_s      ngx_http_mskanban_sub_t;
typedef struct ngx_http_mskanban_channel_s  ngx_http_mskanban_channel_t;
typedef struct ngx_http_mskanban_redis_s  ngx_http_mskanban_redis_t;
typedef struct ngx_http_mskanban_out_s    ngx_http_mskanban_out_t;


typedef struct {
    ngx_str_t                       host;      /* address or "unix:/path" */
    ngx_uint_t                      port;
    ngx_str_t                       password;
    ngx_int_t                       db;
    ngx_msec_t                      connect_timeout;
    ngx_msec_t                      reconnect_max;
    ngx_msec_t                      ping_timeout;   /* 0: no keepalive */
    ngx_msec_t                      loss_recheck;   /* 0: never */
    ngx_uint_t                      delivery_slice;
    ngx_uint_t                      max_subscribers;

    ngx_int_t                       request_uri_index;

    u_char                         *addr;      /* NUL-terminated for hiredis */
    unsigned                        unix_socket:1;
    unsigned                        used:1;    /* some location streams */
} ngx_http_mskanban_main_conf_t;


typedef struct {
    ngx_flag_t                      live;
    ngx_str_t                       authz_uri;
    ngx_msec_t                      heartbeat;
    ngx_msec_t                      retry;
    ngx_msec_t                      max_duration;
    size_t                          send_buffer;
} ngx_http_mskanban_loc_conf_t;


/* a Redis stream id, "<ms>-<seq>" */
typedef struct {
    uint64_t                        ms;
    uint64_t                        seq;
} ngx_http_mskanban_sid_t;


/*
 * One encoded message (an SSE event or a WebSocket frame), shared by every
 * member of the channel it is sent to and freed when the last of them has
 * written it.
 */
typedef struct {
    ngx_uint_t                      refs;
    ngx_http_mskanban_sid_t         sid;       /* board: the tick's id */
    uint64_t                        sender;    /* room: the sending socket */
    size_t                          len;
    u_char                         *data;
    unsigned                        has_sid:1;
    unsigned                        ours:1;    /* room: sent from here */
} ngx_http_mskanban_msg_t;


/* what the core told us about the reader, from the authz response */
typedef struct {
    ngx_str_t                       user;
    ngx_str_t                       session;
    ngx_str_t                       workspace;
} ngx_http_mskanban_identity_t;


/* a revocation from the core; only the ids its type carries are set */
typedef struct {
    ngx_str_t                       type;
    ngx_str_t                       user;
    ngx_str_t                       session;
    ngx_str_t                       workspace;
    ngx_str_t                       board;
} ngx_http_mskanban_revocation_t;


/*
 * A transport delivers events to one client. send() queues a message
 * (taking its own reference) and returns NGX_ERROR when the subscriber had
 * to be closed; close() ends the client connection later, from its own
 * event, and must be safe to call twice; tick() runs once a second for
 * heartbeats and deadlines; retry() (may be NULL) is the client's
 * reconnection delay, which a shutdown sends (jittered) before closing.
 */
typedef struct {
    ngx_int_t                     (*send)(ngx_http_mskanban_sub_t *sub,
                                      ngx_http_mskanban_msg_t *msg);
    void                          (*close)(ngx_http_mskanban_sub_t *sub,
                                      ngx_uint_t reason);
    void                          (*tick)(ngx_http_mskanban_sub_t *sub,
                                      ngx_msec_t now);
    ngx_msec_t                    (*retry)(ngx_http_mskanban_sub_t *sub);
} ngx_http_mskanban_transport_t;


typedef struct ngx_http_mskanban_pending_s  ngx_http_mskanban_pending_t;

struct ngx_http_mskanban_pending_s {
    ngx_http_mskanban_pending_t    *next;
    ngx_http_mskanban_msg_t        *msg;
};


/*
 * A channel kind (a board stream, a relay room) decides what a Redis
 * channel "<prefix><id>" carries and what its local members (queue links
 * in the channel, of the kind's own structure) get:
 *   subscribed(ch, 1 | -1): the subscription was confirmed, or ended;
 *   start(): the channel is subscribed, the member may start;
 *   decode(): one published payload, decoded once for every member
 *       (NULL: ignored);
 *   deliver(): to one member, in order, in slices of
 *       mskanban_delivery_slice per event-loop pass;
 *   lost(): the subscriber connection dropped; the kind decides whether
 *       its members wait (board streams resume by replay) or close.
 */
typedef struct {
    ngx_str_t                       prefix;
    size_t                          id_max;
    void                          (*subscribed)(ngx_http_mskanban_channel_t *ch,
                                      ngx_int_t n);
    void                          (*start)(ngx_http_mskanban_channel_t *ch,
                                      ngx_queue_t *member);
    ngx_http_mskanban_msg_t      *(*decode)(ngx_http_mskanban_channel_t *ch,
                                      u_char *p, size_t len);
    void                          (*deliver)(ngx_queue_t *member,
                                      ngx_http_mskanban_msg_t *msg);
    void                          (*lost)(ngx_http_mskanban_channel_t *ch);
} ngx_http_mskanban_kind_t;


/* one Redis channel with local members, in the worker's table */
struct ngx_http_mskanban_channel_s {
    ngx_str_node_t                  sn;        /* key: the Redis channel */
    ngx_http_mskanban_kind_t       *kind;
    ngx_queue_t                     members;
    ngx_uint_t                      nmembers;
    ngx_uint_t                      state;
    ngx_uint_t                      busy;      /* being iterated */
    ngx_http_mskanban_sid_t         last;      /* board: newest id seen */
    ngx_http_mskanban_pending_t    *out;       /* being delivered */
    ngx_http_mskanban_pending_t   **out_last;
    ngx_queue_t                     cursor;    /* in members while delivering */
    ngx_queue_t                     deliveries_link;
    unsigned                        has_last:1;
    unsigned                        queued:1;  /* in w->deliveries */
    unsigned                        walking:1; /* cursor is in members */
};


/*
 * A subscriber lives in heap memory, not in the request pool, because a
 * Redis reply may still point to it after its client went away: "refs"
 * counts the owner plus each Redis command in flight.
 */
struct ngx_http_mskanban_sub_s {
    ngx_queue_t                     board_link;
    ngx_queue_t                     all_link;
    ngx_http_mskanban_channel_t    *board;

    ngx_http_mskanban_transport_t  *transport;
    void                           *data;      /* NULL once the client left */
    ngx_log_t                      *log;

    ngx_http_mskanban_identity_t    id;
    u_char                          board_id[NGX_HTTP_MSKANBAN_ID_MAX];
    size_t                          board_id_len;

    ngx_uint_t                      state;
    ngx_uint_t                      refs;

    ngx_http_mskanban_sid_t         last;      /* last id sent or asked for */
    ngx_http_mskanban_sid_t         seam;      /* drop live ids <= seam */

    ngx_http_mskanban_pending_t    *pending;   /* live events during replay */
    ngx_http_mskanban_pending_t   **pending_last;
    size_t                          pending_bytes;
    size_t                          pending_max;  /* mskanban_send_buffer */
    size_t                          queued;    /* sent, not yet written */
    ngx_uint_t                      jitter;    /* random, for spreading */
    ngx_msec_t                      recheck;   /* close then, if set */

    unsigned                        has_last:1;
    unsigned                        replay_wait:1;
    unsigned                        replay_checked:1;
    unsigned                        replay_inflight:1;
    unsigned                        replay_restart:1;
    unsigned                        resync:1;  /* position unknown */
    unsigned                        has_seam:1;
    unsigned                        attached:1;
};


typedef void (*ngx_http_mskanban_redis_handler_pt)(
    ngx_http_mskanban_redis_t *rd);

struct ngx_http_mskanban_redis_s {
    redisAsyncContext                  *ac;
    const char                         *name;
    ngx_http_mskanban_main_conf_t      *mcf;
    ngx_uint_t                          state;
    ngx_msec_t                          backoff;
    ngx_uint_t                          failures;  /* since last ready */
    ngx_event_t                         retry;
    ngx_event_t                         timeout;
    ngx_event_t                         ping;
    ngx_msec_t                          alive;    /* last answer */
    ngx_http_mskanban_redis_handler_pt  on_ready;
    ngx_http_mskanban_redis_handler_pt  on_lost;
    ngx_queue_t                         link;     /* the worker's connections */
    unsigned                            stopped:1;
};


/* the per worker state */
typedef struct {
    ngx_http_mskanban_main_conf_t  *mcf;
    ngx_http_mskanban_redis_t       sub;       /* SUBSCRIBE connection */
    ngx_http_mskanban_redis_t       cmd;       /* XRANGE connection */
    ngx_rbtree_t                    channels;  /* boards and rooms */
    ngx_rbtree_node_t               sentinel;
    ngx_queue_t                     all;       /* every SSE subscriber */
    ngx_uint_t                      nsubs;
    ngx_event_t                     tick;
    ngx_queue_t                     deliveries;  /* channels with messages */
    ngx_event_t                     deliver;
    ngx_msec_t                      exit_start;
    unsigned                        running:1;
    unsigned                        exiting:1;
} ngx_http_mskanban_worker_t;


/* the request context, shared by authz and the SSE transport */
typedef struct {
    ngx_http_request_t             *request;
    ngx_http_request_t             *subrequest;
    ngx_uint_t                      status;    /* authz answer */
    ngx_str_t                       board;
    ngx_http_mskanban_identity_t    id;

    ngx_http_mskanban_sub_t        *sub;
    ngx_http_mskanban_out_t        *queue;     /* frames not yet handed over */
    ngx_http_mskanban_out_t       **queue_last;
    ngx_http_mskanban_out_t        *busy;      /* frames handed to nginx */
    ngx_http_mskanban_out_t       **busy_last;
    ngx_http_mskanban_out_t        *free;
    ngx_msec_t                      last_write;
    ngx_msec_t                      deadline;
    ngx_event_t                     flush_ev;  /* one write per loop pass */
    ngx_event_t                     close_ev;
    ngx_uint_t                      close_reason;

    unsigned                        done:1;
    unsigned                        streaming:1;
    unsigned                        closing:1;
} ngx_http_mskanban_ctx_t;


extern ngx_module_t                ngx_http_mskanban_module;
extern ngx_http_mskanban_worker_t  ngx_http_mskanban_worker;


/* ngx_http_mskanban_util.c */
ngx_int_t ngx_http_mskanban_send_error(ngx_http_request_t *r,
    ngx_uint_t status, const char *code, const char *message);
ngx_int_t ngx_http_mskanban_send_json(ngx_http_request_t *r,
    ngx_uint_t status, ngx_buf_t *b);
ngx_int_t ngx_http_mskanban_add_header(ngx_http_request_t *r, char *key,
    char *value);
ngx_int_t ngx_http_mskanban_valid_id(u_char *p, size_t len);
ngx_str_t *ngx_http_mskanban_find_header(ngx_list_t *headers,
    const char *name);
ngx_int_t ngx_http_mskanban_json_string(u_char *json, size_t len,
    const char *key, ngx_str_t *value);

/* ngx_http_mskanban_msg.c */
ngx_int_t ngx_http_mskanban_sid_parse(u_char *p, size_t len,
    ngx_http_mskanban_sid_t *sid);
ngx_int_t ngx_http_mskanban_sid_cmp(ngx_http_mskanban_sid_t *a,
    ngx_http_mskanban_sid_t *b);
ngx_int_t ngx_http_mskanban_xentry(redisReply *entry, ngx_str_t *id,
    ngx_http_mskanban_sid_t *sid, redisReply **fields);
void ngx_http_mskanban_xfield(redisReply *fields, const char *name,
    ngx_str_t *value);
ngx_http_mskanban_msg_t *ngx_http_mskanban_msg_event(ngx_str_t *id,
    ngx_str_t *verb, ngx_str_t *data, ngx_log_t *log);
ngx_http_mskanban_msg_t *ngx_http_mskanban_msg_parse(u_char *p, size_t len,
    ngx_log_t *log);
ngx_http_mskanban_msg_t *ngx_http_mskanban_msg_raw(u_char *p, size_t len,
    ngx_log_t *log);
void ngx_http_mskanban_msg_release(ngx_http_mskanban_msg_t *msg);

/* ngx_http_mskanban_redis.c */
void ngx_http_mskanban_redis_init(ngx_http_mskanban_redis_t *rd,
    const char *name, ngx_http_mskanban_main_conf_t *mcf,
    ngx_http_mskanban_redis_handler_pt on_ready,
    ngx_http_mskanban_redis_handler_pt on_lost);
void ngx_http_mskanban_redis_connect(ngx_http_mskanban_redis_t *rd);
void ngx_http_mskanban_redis_stop(ngx_http_mskanban_redis_t *rd);
redisAsyncContext *ngx_http_mskanban_redis_context(
    ngx_http_mskanban_redis_t *rd);

/* ngx_http_mskanban_channel.c */
ngx_int_t ngx_http_mskanban_channel_init(ngx_cycle_t *cycle,
    ngx_http_mskanban_main_conf_t *mcf);
void ngx_http_mskanban_channel_exit(ngx_cycle_t *cycle);
ngx_http_mskanban_channel_t *ngx_http_mskanban_channel_join(
    ngx_http_mskanban_kind_t *kind, u_char *id, size_t len,
    ngx_queue_t *member);
void ngx_http_mskanban_channel_start(ngx_http_mskanban_channel_t *ch,
    ngx_queue_t *member);
void ngx_http_mskanban_channel_leave(ngx_http_mskanban_channel_t *ch,
    ngx_queue_t *member);
void ngx_http_mskanban_channel_saw(ngx_http_mskanban_channel_t *ch,
    ngx_http_mskanban_sid_t *sid);
void ngx_http_mskanban_channel_release(ngx_http_mskanban_channel_t *ch);

/* ngx_http_mskanban_fanout.c: the board stream kind */
extern ngx_http_mskanban_kind_t  ngx_http_mskanban_board_kind;
void ngx_http_mskanban_boards_close(void);
void ngx_http_mskanban_boards_lost(void);
void ngx_http_mskanban_subs_tick(ngx_msec_t now);
ngx_http_mskanban_sub_t *ngx_http_mskanban_sub_create(ngx_str_t *board,
    ngx_http_mskanban_identity_t *id, ngx_http_mskanban_transport_t *tr,
    void *data, ngx_log_t *log);
ngx_int_t ngx_http_mskanban_sub_attach(ngx_http_mskanban_sub_t *sub);
void ngx_http_mskanban_sub_detach(ngx_http_mskanban_sub_t *sub);
void ngx_http_mskanban_sub_release(ngx_http_mskanban_sub_t *sub);
void ngx_http_mskanban_sub_unref(ngx_http_mskanban_sub_t *sub);
void ngx_http_mskanban_sub_go_live(ngx_http_mskanban_sub_t *sub);
void ngx_http_mskanban_sub_close(ngx_http_mskanban_sub_t *sub,
    ngx_uint_t reason);

/* ngx_http_mskanban_replay.c */
ngx_int_t ngx_http_mskanban_replay_start(ngx_http_mskanban_sub_t *sub);
void ngx_http_mskanban_replay_resume(ngx_http_mskanban_sub_t *sub);
void ngx_http_mskanban_replay_redis_ready(ngx_http_mskanban_redis_t *rd);

/* ngx_http_mskanban_revoke.c */
void ngx_http_mskanban_revoke(u_char *json, size_t len);
void ngx_http_mskanban_revoke_lost(void);
void ngx_http_mskanban_revoke_subscribed(void);
void ngx_http_mskanban_revoke_cmd_ready(void);
ngx_int_t ngx_http_mskanban_revocation_parse(u_char *json, size_t len,
    ngx_http_mskanban_revocation_t *rv);
ngx_uint_t ngx_http_mskanban_revocation_match(
    ngx_http_mskanban_revocation_t *rv, ngx_http_mskanban_identity_t *id,
    ngx_str_t *board);

/* ngx_http_mskanban_authz.c */
ngx_int_t ngx_http_mskanban_authz_handler(ngx_http_request_t *r);

/* ngx_http_mskanban_sse.c */
ngx_int_t ngx_http_mskanban_sse_handler(ngx_http_request_t *r);


#endif /* _NGX_HTTP_MSKANBAN_MODULE_H_INCLUDED_ */
