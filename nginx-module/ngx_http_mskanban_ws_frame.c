
/*
 * ngx_http_mskanban_ws_frame: RFC 6455 frames from clients, to clients.
 *
 * The parser is incremental: it takes whatever the socket gave, keeps a
 * partial header between calls, unmasks payload in place and returns one
 * event at a time. A data message may be split into any number of chunks
 * (frames and reads); text is checked as UTF-8 across them, so a code
 * point may straddle frames. Every rule a server must enforce fails the
 * connection with the code the RFC names: 1002 for framing (unmasked
 * frame, reserved bits or opcodes, a fragmented or oversize control
 * frame, continuation out of place, a bad close payload), 1007 for text
 * that is not UTF-8 and 1009 for a message over max_message, detected
 * from the frame header before its payload is read.
 */


#include "ngx_http_mskanban_ws_frame.h"


#define NGX_HTTP_MSKANBAN_WS_ST_HEADER   0
#define NGX_HTTP_MSKANBAN_WS_ST_PAYLOAD  1


static ngx_int_t ngx_http_mskanban_ws_header(ngx_http_mskanban_ws_parser_t *p,
    ngx_http_mskanban_ws_event_t *ev);
static ngx_int_t ngx_http_mskanban_ws_control_done(
    ngx_http_mskanban_ws_parser_t *p, ngx_http_mskanban_ws_event_t *ev);
static void ngx_http_mskanban_ws_unmask(ngx_http_mskanban_ws_parser_t *p,
    u_char *data, size_t len);


void
ngx_http_mskanban_ws_parser_init(ngx_http_mskanban_ws_parser_t *p,
    uint64_t max_message)
{
    ngx_memzero(p, sizeof(ngx_http_mskanban_ws_parser_t));

    p->max_message = max_message;
    p->state = NGX_HTTP_MSKANBAN_WS_ST_HEADER;
    p->hneed = 2;
}


/*
 * Consumes input from *pos up to last. Returns NGX_OK with an event,
 * NGX_AGAIN when all input is consumed without one, or NGX_ERROR with
 * the close code in ev->code; the parser is unusable after an error.
 */

ngx_int_t
ngx_http_mskanban_ws_parse(ngx_http_mskanban_ws_parser_t *p, u_char **pos,
    u_char *last, ngx_http_mskanban_ws_event_t *ev)
{
    size_t     n;
    u_char    *data;
    ngx_int_t  rc;

    ngx_memzero(ev, sizeof(ngx_http_mskanban_ws_event_t));

    for ( ;; ) {

        if (p->state == NGX_HTTP_MSKANBAN_WS_ST_HEADER) {

            while (p->hlen < p->hneed) {
                if (*pos == last) {
                    return NGX_AGAIN;
                }

                p->hdr[p->hlen++] = *(*pos)++;

                if (p->hlen == p->hneed) {
                    rc = ngx_http_mskanban_ws_header(p, ev);

                    if (rc != NGX_AGAIN) {
                        return rc;
                    }
                }
            }

            /* the header is complete: ngx_http_mskanban_ws_header() moved on */
            continue;
        }

        /* NGX_HTTP_MSKANBAN_WS_ST_PAYLOAD */

        n = (size_t) ngx_min((uint64_t) (last - *pos), p->left);
        data = *pos;
        *pos += n;
        p->left -= n;

        if (p->opcode & 0x8) {

            /* a control frame: collect it, answer it once complete */

            ngx_memcpy(p->ctl + p->ctl_len, data, n);
            ngx_http_mskanban_ws_unmask(p, p->ctl + p->ctl_len, n);
            p->ctl_len += n;

            if (p->left) {
                return NGX_AGAIN;
            }

            p->state = NGX_HTTP_MSKANBAN_WS_ST_HEADER;
            p->hlen = 0;
            p->hneed = 2;

            return ngx_http_mskanban_ws_control_done(p, ev);
        }

        ngx_http_mskanban_ws_unmask(p, data, n);

        if (p->msg_opcode == NGX_HTTP_MSKANBAN_WS_TEXT
            && ngx_http_mskanban_ws_utf8(&p->utf8, data, n) != NGX_OK)
        {
            ev->code = NGX_HTTP_MSKANBAN_WS_BAD_DATA;
            return NGX_ERROR;
        }

        ev->type = NGX_HTTP_MSKANBAN_WS_EV_DATA;
        ev->opcode = p->msg_opcode;
        ev->data = data;
        ev->len = n;

        if (p->left == 0) {
            p->state = NGX_HTTP_MSKANBAN_WS_ST_HEADER;
            p->hlen = 0;
            p->hneed = 2;

            if (p->fin) {
                if (p->msg_opcode == NGX_HTTP_MSKANBAN_WS_TEXT
                    && p->utf8 != 0)
                {
                    /* the text ends inside a code point */
                    ev->code = NGX_HTTP_MSKANBAN_WS_BAD_DATA;
                    return NGX_ERROR;
                }

                ev->last = 1;
                p->msg_opcode = 0;
                p->msg_len = 0;
                p->utf8 = 0;
            }
        }

        if (n || ev->last) {
            return NGX_OK;
        }

        if (*pos == last && p->state == NGX_HTTP_MSKANBAN_WS_ST_PAYLOAD) {
            return NGX_AGAIN;
        }
    }
}


/*
 * Called each time hneed header bytes are there: asks for the extended
 * length and the mask, then checks the frame. Returns NGX_AGAIN to go
 * on, NGX_ERROR with a close code.
 */

static ngx_int_t
ngx_http_mskanban_ws_header(ngx_http_mskanban_ws_parser_t *p,
    ngx_http_mskanban_ws_event_t *ev)
{
    u_char      b0, b1;
    uint64_t    len;
    ngx_uint_t  i, opcode, lenbytes;

    b0 = p->hdr[0];
    b1 = p->hdr[1];

    lenbytes = (b1 & 0x7f) == 126 ? 2 : ((b1 & 0x7f) == 127 ? 8 : 0);

    if (p->hlen == 2) {

        opcode = b0 & 0x0f;

        /* no extension was negotiated: RSV1-3 must be zero */

        if (b0 & 0x70) {
            goto protocol_error;
        }

        /* a client must mask every frame */

        if (!(b1 & 0x80)) {
            goto protocol_error;
        }

        switch (opcode) {

        case NGX_HTTP_MSKANBAN_WS_CONT:
        case NGX_HTTP_MSKANBAN_WS_TEXT:
        case NGX_HTTP_MSKANBAN_WS_BINARY:
            break;

        case NGX_HTTP_MSKANBAN_WS_CLOSE:
        case NGX_HTTP_MSKANBAN_WS_PING:
        case NGX_HTTP_MSKANBAN_WS_PONG:

            if (!(b0 & 0x80) || (b1 & 0x7f) > NGX_HTTP_MSKANBAN_WS_CONTROL_MAX)
            {
                goto protocol_error;
            }

            break;

        default:
            goto protocol_error;
        }

        p->hneed = 2 + lenbytes + 4;

        return NGX_AGAIN;
    }

    /* the whole header is here */

    opcode = b0 & 0x0f;

    if (lenbytes == 0) {
        len = b1 & 0x7f;

    } else {
        len = 0;

        for (i = 0; i < lenbytes; i++) {
            len = (len << 8) | p->hdr[2 + i];
        }

        if (len >> 63) {
            goto protocol_error;
        }
    }

    ngx_memcpy(p->mask, &p->hdr[2 + lenbytes], 4);
    p->mask_pos = 0;
    p->left = len;
    p->fin = (b0 & 0x80) ? 1 : 0;
    p->opcode = opcode;
    p->state = NGX_HTTP_MSKANBAN_WS_ST_PAYLOAD;

    if (opcode & 0x8) {
        p->ctl_len = 0;

        if (len == 0) {
            p->state = NGX_HTTP_MSKANBAN_WS_ST_HEADER;
            p->hlen = 0;
            p->hneed = 2;

            return ngx_http_mskanban_ws_control_done(p, ev);
        }

        return NGX_AGAIN;
    }

    if (opcode == NGX_HTTP_MSKANBAN_WS_CONT) {
        if (p->msg_opcode == 0) {
            goto protocol_error;
        }

    } else {
        if (p->msg_opcode != 0) {
            goto protocol_error;
        }

        p->msg_opcode = opcode;
        p->msg_len = 0;
        p->utf8 = 0;
    }

    if (len > p->max_message || p->msg_len + len > p->max_message) {
        ev->code = NGX_HTTP_MSKANBAN_WS_TOO_BIG;
        return NGX_ERROR;
    }

    p->msg_len += len;

    /* an empty frame: the loop in parse() reports the end, if final */

    return NGX_AGAIN;

protocol_error:

    ev->code = NGX_HTTP_MSKANBAN_WS_PROTOCOL_ERROR;

    return NGX_ERROR;
}


static ngx_int_t
ngx_http_mskanban_ws_control_done(ngx_http_mskanban_ws_parser_t *p,
    ngx_http_mskanban_ws_event_t *ev)
{
    uint32_t    utf8;
    ngx_uint_t  code;

    ev->type = NGX_HTTP_MSKANBAN_WS_EV_CONTROL;
    ev->opcode = p->opcode;
    ev->data = p->ctl;
    ev->len = p->ctl_len;

    if (p->opcode != NGX_HTTP_MSKANBAN_WS_CLOSE) {
        return NGX_OK;
    }

    if (p->ctl_len == 0) {
        ev->code = NGX_HTTP_MSKANBAN_WS_NO_STATUS;
        return NGX_OK;
    }

    if (p->ctl_len == 1) {
        ev->code = NGX_HTTP_MSKANBAN_WS_PROTOCOL_ERROR;
        return NGX_ERROR;
    }

    code = ((ngx_uint_t) p->ctl[0] << 8) | p->ctl[1];

    if (!ngx_http_mskanban_ws_close_code_valid(code)) {
        ev->code = NGX_HTTP_MSKANBAN_WS_PROTOCOL_ERROR;
        return NGX_ERROR;
    }

    utf8 = 0;

    if (ngx_http_mskanban_ws_utf8(&utf8, p->ctl + 2, p->ctl_len - 2) != NGX_OK
        || utf8 != 0)
    {
        ev->code = NGX_HTTP_MSKANBAN_WS_BAD_DATA;
        return NGX_ERROR;
    }

    ev->code = code;

    return NGX_OK;
}


static void
ngx_http_mskanban_ws_unmask(ngx_http_mskanban_ws_parser_t *p, u_char *data,
    size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        data[i] ^= p->mask[p->mask_pos];
        p->mask_pos = (p->mask_pos + 1) & 3;
    }
}


/* a code a peer may send in a close frame (RFC 6455 7.4, IANA registry) */

ngx_uint_t
ngx_http_mskanban_ws_close_code_valid(ngx_uint_t code)
{
    if (code >= 3000 && code <= 4999) {
        return 1;
    }

    switch (code) {
    case 1000:
    case 1001:
    case 1002:
    case 1003:
    case 1007:
    case 1008:
    case 1009:
    case 1010:
    case 1011:
    case 1012:
    case 1013:
    case 1014:
        return 1;
    default:
        return 0;
    }
}


/*
 * Writes the header of an unmasked, final frame of len bytes; returns
 * its size (2, 4 or 10). buf needs NGX_HTTP_MSKANBAN_WS_HEADER_MAX bytes.
 */

size_t
ngx_http_mskanban_ws_frame_header(u_char *buf, ngx_uint_t opcode,
    uint64_t len)
{
    ngx_uint_t  i;

    buf[0] = (u_char) (0x80 | (opcode & 0x0f));

    if (len < 126) {
        buf[1] = (u_char) len;
        return 2;
    }

    if (len <= 0xffff) {
        buf[1] = 126;
        buf[2] = (u_char) (len >> 8);
        buf[3] = (u_char) len;
        return 4;
    }

    buf[1] = 127;

    for (i = 0; i < 8; i++) {
        buf[2 + i] = (u_char) (len >> (56 - 8 * i));
    }

    return 10;
}


/*
 * Incremental UTF-8 validation (Unicode table 3-7: no overlongs, no
 * surrogates, nothing past U+10FFFF). The state is 0 between code points;
 * otherwise it holds the bytes still expected and the range of the next.
 */

ngx_int_t
ngx_http_mskanban_ws_utf8(uint32_t *state, u_char *p, size_t len)
{
    u_char    c;
    uint32_t  need, lo, hi;

    need = *state & 0xff;
    lo = (*state >> 8) & 0xff;
    hi = (*state >> 16) & 0xff;

    while (len--) {
        c = *p++;

        if (need == 0) {

            if (c < 0x80) {
                continue;
            }

            lo = 0x80;
            hi = 0xbf;

            if (c >= 0xc2 && c <= 0xdf) {
                need = 1;

            } else if (c == 0xe0) {
                need = 2;
                lo = 0xa0;

            } else if (c == 0xed) {
                need = 2;
                hi = 0x9f;

            } else if (c >= 0xe1 && c <= 0xef) {
                need = 2;

            } else if (c == 0xf0) {
                need = 3;
                lo = 0x90;

            } else if (c >= 0xf1 && c <= 0xf3) {
                need = 3;

            } else if (c == 0xf4) {
                need = 3;
                hi = 0x8f;

            } else {
                return NGX_ERROR;
            }

            continue;
        }

        if (c < lo || c > hi) {
            return NGX_ERROR;
        }

        need--;
        lo = 0x80;
        hi = 0xbf;
    }

    *state = need ? (need | (lo << 8) | (hi << 16)) : 0;

    return NGX_OK;
}
