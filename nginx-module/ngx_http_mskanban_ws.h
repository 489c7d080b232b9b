
/*
 * ngx_http_mskanban_ws: the WebSocket relay for encrypted Yjs rooms.
 *
 * A second nginx module in the same .so as ngx_http_mskanban_module, whose
 * Redis settings (mskanban_redis_*) it shares. "mskanban_ws" turns a
 * location into the relay (ngx_http_mskanban_ws_conf.c): the upgrade
 * redeems a one-shot ticket through an internal request to the core
 * (ngx_http_mskanban_ws_ticket.c), the RFC 6455 handshake and framing are
 * done here (ngx_http_mskanban_ws_handshake.c, ngx_http_mskanban_ws_frame.c),
 * the transport in ngx_http_mskanban_ws.c, counters in
 * ngx_http_mskanban_ws_status.c, and every message goes unchanged to every
 * other connection of the room on any worker and host through Redis
 * pub/sub (ngx_http_mskanban_ws_room.c). The relay stores no message and
 * looks at one only for a viewer's connection, which may send nothing but
 * the y-protocols kinds that follow a document (its first bytes, in clear
 * also in sealed messages); a connection ends with its session, and the
 * ticket is scrubbed from the request before anything can log it.
 */


#ifndef _NGX_HTTP_MSKANBAN_WS_H_INCLUDED_
#define _NGX_HTTP_MSKANBAN_WS_H_INCLUDED_


#include "ngx_http_mskanban_module.h"
#include "ngx_http_mskanban_authz.h"
#include "ngx_http_mskanban_ws_frame.h"


#define NGX_HTTP_MSKANBAN_ROOM_CHANNEL     "mskanban:room:"

/* "board:" or "card:" and an id */
#define NGX_HTTP_MSKANBAN_WS_ROOM_MAX      (6 + NGX_HTTP_MSKANBAN_ID_MAX)

/*
 * A relayed message on "mskanban:room:<room>" is the sender's origin (the
 * worker's random 8-byte id, the connection's 8-byte sequence number,
 * big-endian), one byte of WebSocket opcode (1 text, 2 binary), then the
 * message itself, unchanged.
 */
#define NGX_HTTP_MSKANBAN_WS_ORIGIN_LEN    16
#define NGX_HTTP_MSKANBAN_WS_PREFIX_LEN    17


/* connection states */
#define NGX_HTTP_MSKANBAN_WS_REDEEMING     0   /* asking the core */
#define NGX_HTTP_MSKANBAN_WS_WAITING       1   /* room not yet subscribed */
#define NGX_HTTP_MSKANBAN_WS_OPEN          2
#define NGX_HTTP_MSKANBAN_WS_CLOSING       3   /* close frame queued */
#define NGX_HTTP_MSKANBAN_WS_DONE          4   /* the request is ending */


typedef struct ngx_http_mskanban_ws_s       ngx_http_mskanban_ws_t;
typedef struct ngx_http_mskanban_ws_out_s   ngx_http_mskanban_ws_out_t;


typedef struct {
    ngx_flag_t                      enable;
    ngx_flag_t                      status;
    ngx_str_t                       redeem_uri;
    ngx_array_t                    *origins;    /* of ngx_str_t */
    size_t                          max_message;
    size_t                          send_buffer;
    ngx_msec_t                      ping_interval;
    ngx_msec_t                      idle_timeout;
    ngx_msec_t                      close_timeout;
    ngx_msec_t                      max_duration;
    ngx_msec_t                      message_timeout;
} ngx_http_mskanban_ws_loc_conf_t;


typedef struct {
    ngx_uint_t                      max_connections;
    size_t                          publish_buffer;
    size_t                          reassembly_budget;  /* per worker */
    ngx_shm_zone_t                 *shm_zone;
    ngx_int_t                       request_uri_index;
    unsigned                        used:1;
} ngx_http_mskanban_ws_main_conf_t;


/* counters for operators, in shared memory: the sum over all workers */
typedef struct {
    ngx_atomic_t                    connections;
    ngx_atomic_t                    rooms;        /* room subscriptions */
    ngx_atomic_t                    accepted;
    ngx_atomic_t                    refused;
    ngx_atomic_t                    messages_in;
    ngx_atomic_t                    bytes_in;
    ngx_atomic_t                    messages_out;
    ngx_atomic_t                    bytes_out;
    ngx_atomic_t                    slow_closed;
    ngx_atomic_t                    idle_closed;
    ngx_atomic_t                    revoked_closed;
    ngx_atomic_t                    protocol_closed;
    ngx_atomic_t                    redis_closed;
    ngx_atomic_t                    publish_failed;
    ngx_atomic_t                    expired_closed;
    ngx_atomic_t                    readonly_dropped;
    ngx_atomic_t                    budget_closed;    /* reassembly budget */
} ngx_http_mskanban_ws_stats_t;

#define ngx_http_mskanban_ws_stat(field, n)                                  \
    (void) ngx_atomic_fetch_add(&ngx_http_mskanban_ws_stats->field,          \
                                (ngx_atomic_int_t) (n))


/* one frame for clients, shared by every connection it is queued to */
typedef ngx_http_mskanban_msg_t  ngx_http_mskanban_ws_msg_t;


struct ngx_http_mskanban_ws_out_s {
    ngx_http_mskanban_ws_out_t     *next;
    ngx_http_mskanban_ws_msg_t     *msg;
    ngx_buf_t                       buf;
    ngx_chain_t                     cl;
};


/* one WebSocket connection; it lives in its request's pool */
struct ngx_http_mskanban_ws_s {
    ngx_queue_t                     room_link;
    ngx_queue_t                     all_link;
    ngx_http_mskanban_channel_t    *room;

    ngx_http_request_t             *request;
    ngx_http_mskanban_ws_loc_conf_t *conf;
    ngx_uint_t                      state;
    ngx_uint_t                      status;     /* the core's answer */

    ngx_str_t                       ticket;
    ngx_str_t                       room_name;
    ngx_str_t                       board;
    ngx_http_mskanban_identity_t    id;
    uint64_t                        seq;        /* origin, with the worker */

    ngx_http_mskanban_ws_parser_t   parser;
    u_char                         *msg;        /* prefix + message */
    size_t                          msg_len;
    size_t                          msg_size;
    ngx_uint_t                      msg_opcode;

    ngx_http_mskanban_ws_out_t     *busy;       /* frames not yet written */
    ngx_http_mskanban_ws_out_t    **busy_last;
    ngx_http_mskanban_ws_out_t     *free;
    size_t                          queued;     /* bytes of those frames */
    ngx_uint_t                      nqueued;

    ngx_msec_t                      last_recv;
    ngx_msec_t                      last_ping;
    ngx_msec_t                      expires;    /* the session's end */
    ngx_uint_t                      close_code;
    ngx_event_t                     finish_ev;

    unsigned                        checked:1;  /* redemption started */
    unsigned                        done:1;     /* the core answered */
    unsigned                        readonly:1; /* a viewer: follows only */
    unsigned                        has_expiry:1;
    unsigned                        attached:1;
    unsigned                        close_sent:1;
    unsigned                        close_received:1;
    unsigned                        abort:1;    /* no close handshake */
    unsigned                        counted:1;  /* in stats->connections */
};


extern ngx_module_t                   ngx_http_mskanban_ws_module;
extern ngx_http_mskanban_ws_stats_t  *ngx_http_mskanban_ws_stats;


/* ngx_http_mskanban_ws_ticket.c */
ngx_int_t ngx_http_mskanban_ws_scrub_handler(ngx_http_request_t *r);
ngx_int_t ngx_http_mskanban_ws_access_handler(ngx_http_request_t *r);
ngx_int_t ngx_http_mskanban_ws_refuse(ngx_http_request_t *r,
    ngx_uint_t status);

/* ngx_http_mskanban_ws_status.c */
ngx_int_t ngx_http_mskanban_ws_init_zone(ngx_shm_zone_t *shm_zone,
    void *data);
ngx_int_t ngx_http_mskanban_ws_status_handler(ngx_http_request_t *r);

/* ngx_http_mskanban_ws.c */
ngx_int_t ngx_http_mskanban_ws_handler(ngx_http_request_t *r);
ngx_int_t ngx_http_mskanban_ws_send(ngx_http_mskanban_ws_t *ws,
    ngx_http_mskanban_ws_msg_t *msg);
void ngx_http_mskanban_ws_close(ngx_http_mskanban_ws_t *ws, ngx_uint_t code);
void ngx_http_mskanban_ws_start(ngx_http_mskanban_ws_t *ws);
void ngx_http_mskanban_ws_tick(ngx_http_mskanban_ws_t *ws, ngx_msec_t now);
ngx_http_mskanban_ws_msg_t *ngx_http_mskanban_ws_msg_create(
    ngx_uint_t opcode, u_char *data, size_t len, ngx_log_t *log);
void ngx_http_mskanban_ws_msg_release(ngx_http_mskanban_ws_msg_t *msg);

/* ngx_http_mskanban_ws_handshake.c */
ngx_int_t ngx_http_mskanban_ws_handshake_check(ngx_http_request_t *r,
    ngx_http_mskanban_ws_loc_conf_t *wlcf);
ngx_int_t ngx_http_mskanban_ws_handshake_accept(ngx_http_request_t *r);

/* ngx_http_mskanban_ws_room.c */
ngx_int_t ngx_http_mskanban_ws_worker_init(ngx_cycle_t *cycle,
    ngx_http_mskanban_main_conf_t *mcf,
    ngx_http_mskanban_ws_main_conf_t *wmcf);
void ngx_http_mskanban_ws_worker_exit(ngx_cycle_t *cycle);
ngx_int_t ngx_http_mskanban_ws_join(ngx_http_mskanban_ws_t *ws);
void ngx_http_mskanban_ws_leave(ngx_http_mskanban_ws_t *ws);
ngx_int_t ngx_http_mskanban_ws_publish(ngx_http_mskanban_ws_t *ws,
    u_char *buf, size_t len, ngx_uint_t opcode);
ngx_uint_t ngx_http_mskanban_ws_worker_connections(void);
void ngx_http_mskanban_ws_redis_lost(void);
void ngx_http_mskanban_ws_rooms_tick(ngx_msec_t now);
void ngx_http_mskanban_ws_revoke(ngx_http_mskanban_revocation_t *rv);


#endif /* _NGX_HTTP_MSKANBAN_WS_H_INCLUDED_ */
