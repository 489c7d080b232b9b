
/*
 * ngx_http_mskanban_ws_frame: the RFC 6455 framing, server side.
 *
 * A parser that turns the bytes a client sends into events (chunks of a
 * data message, whole control frames, protocol errors with their close
 * code) and an encoder for the unmasked frames a server sends. Nothing
 * here allocates, logs or touches a connection, so that the unit test
 * (nginx-module/test/ws_frame_test.c) links this file alone.
 */


#ifndef _NGX_HTTP_MSKANBAN_WS_FRAME_H_INCLUDED_
#define _NGX_HTTP_MSKANBAN_WS_FRAME_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>


#define NGX_HTTP_MSKANBAN_WS_CONT            0x0
#define NGX_HTTP_MSKANBAN_WS_TEXT            0x1
#define NGX_HTTP_MSKANBAN_WS_BINARY          0x2
#define NGX_HTTP_MSKANBAN_WS_CLOSE           0x8
#define NGX_HTTP_MSKANBAN_WS_PING            0x9
#define NGX_HTTP_MSKANBAN_WS_PONG            0xa

/* close codes, RFC 6455 section 7.4.1 */
#define NGX_HTTP_MSKANBAN_WS_NORMAL          1000
#define NGX_HTTP_MSKANBAN_WS_GOING_AWAY      1001
#define NGX_HTTP_MSKANBAN_WS_PROTOCOL_ERROR  1002
#define NGX_HTTP_MSKANBAN_WS_NO_STATUS       1005
#define NGX_HTTP_MSKANBAN_WS_BAD_DATA        1007
#define NGX_HTTP_MSKANBAN_WS_POLICY          1008
#define NGX_HTTP_MSKANBAN_WS_TOO_BIG         1009
#define NGX_HTTP_MSKANBAN_WS_INTERNAL        1011
#define NGX_HTTP_MSKANBAN_WS_TRY_AGAIN       1013

/*
 * private codes (4000-4999): y-websocket 3 stops reconnecting on 4400-4499
 * (its default shouldReconnect), which is right for both: a ticket is
 * spent once used, so a stock provider would only retry a dead one
 */
#define NGX_HTTP_MSKANBAN_WS_REAUTH          4401  /* expired: a new ticket */
#define NGX_HTTP_MSKANBAN_WS_REVOKED         4403  /* access revoked */

#define NGX_HTTP_MSKANBAN_WS_CONTROL_MAX     125
#define NGX_HTTP_MSKANBAN_WS_HEADER_MAX      14

/* what the parser hands out */
#define NGX_HTTP_MSKANBAN_WS_EV_DATA         1
#define NGX_HTTP_MSKANBAN_WS_EV_CONTROL      2


typedef struct {
    ngx_uint_t      type;       /* NGX_HTTP_MSKANBAN_WS_EV_* */
    ngx_uint_t      opcode;     /* of the message, or of the control frame */
    u_char         *data;       /* unmasked, in the caller's buffer or ctl */
    size_t          len;
    ngx_uint_t      code;       /* close frame: its code, or 1005 */
    unsigned        last:1;     /* data: the message ends with this chunk */
} ngx_http_mskanban_ws_event_t;


typedef struct {
    /* set by the caller */
    uint64_t        max_message;

    /* the frame being read */
    ngx_uint_t      state;
    u_char          hdr[NGX_HTTP_MSKANBAN_WS_HEADER_MAX];
    size_t          hlen;
    size_t          hneed;
    ngx_uint_t      opcode;
    uint64_t        left;       /* payload bytes still to come */
    u_char          mask[4];
    ngx_uint_t      mask_pos;
    unsigned        fin:1;

    /* the data message being assembled from frames */
    ngx_uint_t      msg_opcode; /* 0: between messages */
    uint64_t        msg_len;
    uint32_t        utf8;

    /* a control frame's payload */
    u_char          ctl[NGX_HTTP_MSKANBAN_WS_CONTROL_MAX];
    size_t          ctl_len;
} ngx_http_mskanban_ws_parser_t;


void ngx_http_mskanban_ws_parser_init(ngx_http_mskanban_ws_parser_t *p,
    uint64_t max_message);
ngx_int_t ngx_http_mskanban_ws_parse(ngx_http_mskanban_ws_parser_t *p,
    u_char **pos, u_char *last, ngx_http_mskanban_ws_event_t *ev);
size_t ngx_http_mskanban_ws_frame_header(u_char *buf, ngx_uint_t opcode,
    uint64_t len);
ngx_int_t ngx_http_mskanban_ws_utf8(uint32_t *state, u_char *p, size_t len);
ngx_uint_t ngx_http_mskanban_ws_close_code_valid(ngx_uint_t code);


#endif /* _NGX_HTTP_MSKANBAN_WS_FRAME_H_INCLUDED_ */
