
/*
 * Unit tests of ngx_http_mskanban_ws_frame.c: the RFC 6455 parser fed
 * whole, in one-byte pieces and in random pieces, the encoder and the
 * UTF-8 validator. Built against the configured nginx tree (headers only)
 * by nginx-module/ws.mk; prints TAP and exits non-zero on a failure.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ngx_http_mskanban_ws_frame.h"


#define MAX_EVENTS  64


typedef struct {
    ngx_uint_t   type;
    ngx_uint_t   opcode;
    ngx_uint_t   code;
    ngx_uint_t   last;
    size_t       len;
    u_char       data[1024];
} rec_t;


typedef struct {
    rec_t        ev[MAX_EVENTS];
    ngx_uint_t   n;
    ngx_uint_t   error;    /* close code of a failure, 0 if none */
} result_t;


static int  tests, failures;


static void
ok(int cond, const char *name)
{
    tests++;

    if (!cond) {
        failures++;
    }

    printf("%sok %d - %s\n", cond ? "" : "not ", tests, name);
}


/* a client frame: masked unless mask is 0 */

static size_t
frame(u_char *buf, ngx_uint_t first, const void *payload, uint64_t len,
    int mask)
{
    size_t   n, i;
    u_char   key[4] = { 0x37, 0xfa, 0x21, 0x3d };

    n = 0;
    buf[n++] = (u_char) first;

    if (len < 126) {
        buf[n++] = (u_char) ((mask ? 0x80 : 0) | len);

    } else if (len <= 0xffff) {
        buf[n++] = (u_char) ((mask ? 0x80 : 0) | 126);
        buf[n++] = (u_char) (len >> 8);
        buf[n++] = (u_char) len;

    } else {
        buf[n++] = (u_char) ((mask ? 0x80 : 0) | 127);

        for (i = 0; i < 8; i++) {
            buf[n++] = (u_char) (len >> (56 - 8 * i));
        }
    }

    if (mask) {
        memcpy(buf + n, key, 4);
        n += 4;
    }

    for (i = 0; payload && i < len; i++) {
        buf[n + i] = ((const u_char *) payload)[i] ^ (mask ? key[i % 4] : 0);
    }

    return n + (payload ? len : 0);
}


/* feeds input in pieces of "step" bytes (0: all at once, -1: random) */

static void
run(u_char *in, size_t len, int step, uint64_t max, result_t *res)
{
    u_char                         *pos, *last, *end, *copy;
    size_t                          piece;
    ngx_int_t                       rc;
    ngx_http_mskanban_ws_event_t    ev;
    ngx_http_mskanban_ws_parser_t   p;
    rec_t                          *r;

    memset(res, 0, sizeof(result_t));
    ngx_http_mskanban_ws_parser_init(&p, max);

    /* the parser unmasks in place: each run gets its own copy */

    copy = malloc(len + 1);
    if (copy == NULL) {
        abort();
    }

    memcpy(copy, in, len);

    pos = copy;
    end = copy + len;

    while (pos < end) {
        piece = step == 0 ? (size_t) (end - pos)
                          : (step < 0 ? 1 + (size_t) rand() % 7
                                      : (size_t) step);
        last = pos + ngx_min(piece, (size_t) (end - pos));

        while (pos < last) {
            rc = ngx_http_mskanban_ws_parse(&p, &pos, last, &ev);

            if (rc == NGX_AGAIN) {
                break;
            }

            if (rc == NGX_ERROR) {
                res->error = ev.code;
                free(copy);
                return;
            }

            /* chunks of one message are merged into one record */

            if (ev.type == NGX_HTTP_MSKANBAN_WS_EV_DATA && res->n
                && res->ev[res->n - 1].type == NGX_HTTP_MSKANBAN_WS_EV_DATA
                && !res->ev[res->n - 1].last)
            {
                r = &res->ev[res->n - 1];

            } else {
                r = &res->ev[res->n++];
                r->type = ev.type;
                r->opcode = ev.opcode;
                r->code = ev.code;
            }

            if (r->len < sizeof(r->data)) {
                memcpy(r->data + r->len, ev.data,
                       ngx_min(ev.len, sizeof(r->data) - r->len));
            }

            r->len += ev.len;
            r->last = ev.last;
        }
    }

    free(copy);
}


/* runs the input three ways; they must agree */

static void
check(const char *name, u_char *in, size_t len, uint64_t max, result_t *res)
{
    char       buf[256];
    result_t  *one, *rnd;

    one = malloc(sizeof(result_t));
    rnd = malloc(sizeof(result_t));

    if (one == NULL || rnd == NULL) {
        abort();
    }

    run(in, len, 0, max, res);
    run(in, len, 1, max, one);
    run(in, len, -1, max, rnd);

    snprintf(buf, sizeof(buf), "%s: the same byte by byte and in pieces",
             name);

    /* chunks before an error may differ; the error may not */

    ok(res->error == one->error && res->error == rnd->error
       && (res->error || (res->n == one->n && res->n == rnd->n))
       && (res->error || res->n == 0
           || (res->ev[0].len == one->ev[0].len
               && res->ev[0].len == rnd->ev[0].len
               && memcmp(res->ev[0].data, rnd->ev[0].data,
                         ngx_min(res->ev[0].len, sizeof(res->ev[0].data)))
                  == 0)),
       buf);

    free(one);
    free(rnd);
}


static void
expect_error(const char *name, u_char *in, size_t len, uint64_t max,
    ngx_uint_t code)
{
    char      buf[256];
    result_t  res;

    check(name, in, len, max, &res);

    snprintf(buf, sizeof(buf), "%s: fails with %u (got %u)", name,
             (unsigned) code, (unsigned) res.error);
    ok(res.error == code, buf);
}


int
main(void)
{
    u_char     in[200000], *big, hdr[NGX_HTTP_MSKANBAN_WS_HEADER_MAX];
    size_t     n;
    uint32_t   st;
    result_t   res;

    srand(6455);

    /* a masked text frame */

    n = frame(in, 0x81, "Hello", 5, 1);
    check("text", in, n, 1024, &res);
    ok(res.error == 0 && res.n == 1 && res.ev[0].last
       && res.ev[0].opcode == NGX_HTTP_MSKANBAN_WS_TEXT
       && res.ev[0].len == 5 && memcmp(res.ev[0].data, "Hello", 5) == 0,
       "text: one complete message, unmasked");

    /* framing errors */

    n = frame(in, 0x82, "abc", 3, 0);
    expect_error("unmasked frame", in, n, 1024, 1002);

    n = frame(in, 0xc2, "abc", 3, 1);
    expect_error("RSV1 set", in, n, 1024, 1002);

    n = frame(in, 0x83, "abc", 3, 1);
    expect_error("opcode 3", in, n, 1024, 1002);

    n = frame(in, 0x8b, "", 0, 1);
    expect_error("opcode 0xB", in, n, 1024, 1002);

    big = malloc(70000);
    if (big == NULL) {
        return 2;
    }

    memset(big, 'x', 70000);

    n = frame(in, 0x89, big, 126, 1);
    expect_error("ping of 126 bytes", in, n, 1024, 1002);

    n = frame(in, 0x09, "ab", 2, 1);
    expect_error("fragmented ping", in, n, 1024, 1002);

    n = frame(in, 0x80, "ab", 2, 1);
    expect_error("continuation without a message", in, n, 1024, 1002);

    n = frame(in, 0x01, "ab", 2, 1);
    n += frame(in + n, 0x81, "cd", 2, 1);
    expect_error("new message inside a fragmented one", in, n, 1024, 1002);

    in[0] = 0x82;
    in[1] = 0x80 | 127;
    memset(in + 2, 0, 8);
    in[2] = 0x80;
    memset(in + 10, 0, 4);
    expect_error("64-bit length with the top bit", in, 14, 1024, 1002);

    /* fragmentation with a control frame in between */

    n = frame(in, 0x01, "Hel", 3, 1);
    n += frame(in + n, 0x89, "p", 1, 1);
    n += frame(in + n, 0x00, "", 0, 1);
    n += frame(in + n, 0x80, "lo", 2, 1);
    check("fragments", in, n, 1024, &res);
    ok(res.error == 0 && res.n == 3
       && res.ev[0].type == NGX_HTTP_MSKANBAN_WS_EV_DATA && !res.ev[0].last
       && res.ev[1].type == NGX_HTTP_MSKANBAN_WS_EV_CONTROL
       && res.ev[1].opcode == NGX_HTTP_MSKANBAN_WS_PING
       && res.ev[1].len == 1 && res.ev[1].data[0] == 'p'
       && res.ev[2].type == NGX_HTTP_MSKANBAN_WS_EV_DATA
       && res.ev[2].last && res.ev[2].len == 2
       && memcmp(res.ev[0].data, "Hel", 3) == 0
       && memcmp(res.ev[2].data, "lo", 2) == 0,
       "fragments: chunk, the ping between, the last chunk");

    /* UTF-8 */

    n = frame(in, 0x81, "\xc0\xaf", 2, 1);
    expect_error("overlong UTF-8", in, n, 1024, 1007);

    n = frame(in, 0x81, "\xed\xa0\x80", 3, 1);
    expect_error("UTF-16 surrogate", in, n, 1024, 1007);

    n = frame(in, 0x81, "\xf4\x90\x80\x80", 4, 1);
    expect_error("past U+10FFFF", in, n, 1024, 1007);

    n = frame(in, 0x81, "a\xe2\x82", 3, 1);
    expect_error("text ends inside a code point", in, n, 1024, 1007);

    n = frame(in, 0x01, "\xe2", 1, 1);
    n += frame(in + n, 0x80, "\x82\xac", 2, 1);
    check("code point across fragments", in, n, 1024, &res);
    ok(res.error == 0 && res.n == 1 && res.ev[0].len == 3,
       "code point across fragments: valid");

    n = frame(in, 0x82, "\xc0\xaf", 2, 1);
    check("binary is opaque", in, n, 1024, &res);
    ok(res.error == 0 && res.n == 1, "binary is opaque: not checked");

    st = 0;
    ok(ngx_http_mskanban_ws_utf8(&st, (u_char *) "\xf0\x9f\x98\x80", 4)
       == NGX_OK && st == 0, "utf8: an emoji");
    st = 0;
    ok(ngx_http_mskanban_ws_utf8(&st, (u_char *) "\xe0\x80\x80", 3)
       == NGX_ERROR, "utf8: overlong three bytes");
    st = 0;
    ok(ngx_http_mskanban_ws_utf8(&st, (u_char *) "\xf5", 1) == NGX_ERROR,
       "utf8: F5");

    /* sizes */

    n = frame(in, 0x82, big, 101, 1);
    expect_error("message over the limit", in, 14, 100, 1009);

    n = frame(in, 0x02, big, 60, 1);
    n += frame(in + n, 0x80, big, 41, 1);
    expect_error("fragments over the limit", in, n, 100, 1009);

    n = frame(in, 0x82, big, 300, 1);
    check("16-bit length", in, n, 100000, &res);
    ok(res.error == 0 && res.n == 1 && res.ev[0].len == 300,
       "16-bit length: 300 bytes");

    n = frame(in, 0x82, big, 70000, 1);
    check("64-bit length", in, n, 100000, &res);
    ok(res.error == 0 && res.n == 1 && res.ev[0].len == 70000
       && res.ev[0].last, "64-bit length: 70000 bytes");

    n = frame(in, 0x82, "", 0, 1);
    check("empty message", in, n, 100, &res);
    ok(res.error == 0 && res.n == 1 && res.ev[0].len == 0 && res.ev[0].last,
       "empty message: handed out");

    /* close frames */

    n = frame(in, 0x88, "", 0, 1);
    check("empty close", in, n, 100, &res);
    ok(res.n == 1 && res.ev[0].code == 1005, "empty close: 1005");

    n = frame(in, 0x88, "\x03\xe8" "bye", 5, 1);
    check("close 1000", in, n, 100, &res);
    ok(res.n == 1 && res.ev[0].opcode == NGX_HTTP_MSKANBAN_WS_CLOSE
       && res.ev[0].code == 1000 && res.ev[0].len == 5,
       "close 1000: code and reason");

    n = frame(in, 0x88, "\x03", 1, 1);
    expect_error("close payload of one byte", in, n, 100, 1002);

    n = frame(in, 0x88, "\x03\xed", 2, 1);
    expect_error("close code 1005", in, n, 100, 1002);

    n = frame(in, 0x88, "\x03\xe7", 2, 1);
    expect_error("close code 999", in, n, 100, 1002);

    n = frame(in, 0x88, "\x0b\xb8", 2, 1);
    check("close code 3000", in, n, 100, &res);
    ok(res.error == 0 && res.ev[0].code == 3000, "close code 3000: valid");

    n = frame(in, 0x88, "\x03\xe8\xff", 3, 1);
    expect_error("close reason not UTF-8", in, n, 100, 1007);

    /* the encoder */

    ok(ngx_http_mskanban_ws_frame_header(hdr, 2, 0) == 2
       && hdr[0] == 0x82 && hdr[1] == 0, "header: empty binary");
    ok(ngx_http_mskanban_ws_frame_header(hdr, 1, 125) == 2 && hdr[1] == 125,
       "header: 125");
    ok(ngx_http_mskanban_ws_frame_header(hdr, 2, 126) == 4 && hdr[1] == 126
       && hdr[2] == 0 && hdr[3] == 126, "header: 126");
    ok(ngx_http_mskanban_ws_frame_header(hdr, 2, 65535) == 4
       && hdr[2] == 0xff && hdr[3] == 0xff, "header: 65535");
    ok(ngx_http_mskanban_ws_frame_header(hdr, 2, 65536) == 10
       && hdr[1] == 127 && hdr[7] == 1 && hdr[8] == 0 && hdr[9] == 0,
       "header: 65536");
    ok(ngx_http_mskanban_ws_frame_header(hdr, 8, 2) == 2 && hdr[0] == 0x88,
       "header: close");

    /* random input: the parser ends in an event, AGAIN or an error, never past */

    {
        int                            i, bad;
        size_t                         len, j;
        u_char                        *pos;
        ngx_int_t                      rc;
        ngx_http_mskanban_ws_event_t   ev;
        ngx_http_mskanban_ws_parser_t  p;

        bad = 0;

        for (i = 0; i < 20000; i++) {
            len = 1 + (size_t) rand() % 300;

            for (j = 0; j < len; j++) {
                in[j] = (u_char) rand();
            }

            /* mostly well-formed headers, so that payloads get parsed too */
            if (i % 2) {
                in[0] = (u_char) (0x80 | (rand() % 3));
                in[1] = (u_char) (0x80 | (rand() % 126));
            }

            ngx_http_mskanban_ws_parser_init(&p, 100 + (uint64_t) (rand() % 200));
            pos = in;

            for ( ;; ) {
                rc = ngx_http_mskanban_ws_parse(&p, &pos, in + len, &ev);

                if (pos < in || pos > in + len
                    || (rc == NGX_OK && ev.type == NGX_HTTP_MSKANBAN_WS_EV_DATA
                        && (ev.data < in || ev.data + ev.len > in + len)))
                {
                    bad++;
                    break;
                }

                if (rc != NGX_OK || pos == in + len) {
                    break;
                }
            }
        }

        ok(bad == 0, "random input: always within the buffer");
    }

    free(big);

    printf("1..%d\n", tests);

    return failures ? 1 : 0;
}
