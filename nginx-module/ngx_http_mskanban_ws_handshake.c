
/*
 * ngx_http_mskanban_ws_handshake: the opening handshake, RFC 6455 4.2.
 *
 * handshake_check() decides whether a request is a WebSocket upgrade this
 * relay accepts, before any ticket is spent: GET over HTTP/1.1, "Upgrade:
 * websocket", "Connection: upgrade", version 13, a key of 16 bytes in
 * base64 and, when mskanban_ws_origin lists origins, one of them. It
 * answers NGX_OK or the HTTP status to refuse with (400, 403, 405, 426).
 * handshake_accept() sends the 101 with Sec-WebSocket-Accept; no
 * subprotocol and no extension is ever selected.
 */


#include <ngx_sha1.h>

#include "ngx_http_mskanban_ws.h"


#define NGX_HTTP_MSKANBAN_WS_GUID  "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


static ngx_uint_t ngx_http_mskanban_ws_has_token(ngx_str_t *value,
    const char *token);


ngx_int_t
ngx_http_mskanban_ws_handshake_check(ngx_http_request_t *r,
    ngx_http_mskanban_ws_loc_conf_t *wlcf)
{
    u_char      buf[32];
    ngx_str_t  *h, *origin, key, decoded;
    ngx_uint_t  i;

    if (r->method != NGX_HTTP_GET) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    if (r->http_version != NGX_HTTP_VERSION_11) {
        return 426;
    }

    h = ngx_http_mskanban_find_header(&r->headers_in.headers, "Upgrade");

    if (h == NULL || !ngx_http_mskanban_ws_has_token(h, "websocket")) {
        return 426;
    }

    h = ngx_http_mskanban_find_header(&r->headers_in.headers, "Connection");

    if (h == NULL || !ngx_http_mskanban_ws_has_token(h, "upgrade")) {
        return 426;
    }

    h = ngx_http_mskanban_find_header(&r->headers_in.headers,
                                      "Sec-WebSocket-Version");

    if (h == NULL || h->len != 2 || ngx_strncmp(h->data, "13", 2) != 0) {
        return 426;
    }

    h = ngx_http_mskanban_find_header(&r->headers_in.headers,
                                      "Sec-WebSocket-Key");

    if (h == NULL || h->len != 24) {
        return NGX_HTTP_BAD_REQUEST;
    }

    key = *h;
    decoded.data = buf;

    if (ngx_decode_base64(&decoded, &key) != NGX_OK || decoded.len != 16) {
        return NGX_HTTP_BAD_REQUEST;
    }

    if (r->headers_in.content_length_n > 0 || r->headers_in.chunked) {
        return NGX_HTTP_BAD_REQUEST;
    }

    if (wlcf->origins == NULL) {
        return NGX_OK;
    }

    origin = ngx_http_mskanban_find_header(&r->headers_in.headers, "Origin");

    if (origin == NULL) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "mskanban: websocket without Origin refused");
        return NGX_HTTP_FORBIDDEN;
    }

    h = wlcf->origins->elts;

    for (i = 0; i < wlcf->origins->nelts; i++) {
        if (h[i].len == origin->len
            && ngx_strncasecmp(h[i].data, origin->data, origin->len) == 0)
        {
            return NGX_OK;
        }
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "mskanban: websocket from origin \"%V\" refused", origin);

    return NGX_HTTP_FORBIDDEN;
}


/* sends "101 Switching Protocols"; the caller flushes it */

ngx_int_t
ngx_http_mskanban_ws_handshake_accept(ngx_http_request_t *r)
{
    u_char           digest[20];
    ngx_str_t       *key, src;
    ngx_sha1_t       sha1;
    ngx_table_elt_t *h;

    key = ngx_http_mskanban_find_header(&r->headers_in.headers,
                                        "Sec-WebSocket-Key");
    if (key == NULL) {
        return NGX_ERROR;
    }

    ngx_sha1_init(&sha1);
    ngx_sha1_update(&sha1, key->data, key->len);
    ngx_sha1_update(&sha1, NGX_HTTP_MSKANBAN_WS_GUID,
                    sizeof(NGX_HTTP_MSKANBAN_WS_GUID) - 1);
    ngx_sha1_final(digest, &sha1);

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "Sec-WebSocket-Accept");

    h->value.data = ngx_pnalloc(r->pool, ngx_base64_encoded_length(20));
    if (h->value.data == NULL) {
        return NGX_ERROR;
    }

    src.data = digest;
    src.len = 20;
    ngx_encode_base64(&h->value, &src);

    if (ngx_http_mskanban_add_header(r, "Upgrade", "websocket") != NGX_OK) {
        return NGX_ERROR;
    }

    r->headers_out.status = NGX_HTTP_SWITCHING_PROTOCOLS;
    ngx_str_set(&r->headers_out.status_line, "101 Switching Protocols");
    r->headers_out.content_length_n = -1;
    r->headers_out.content_type.len = 0;
    r->headers_out.content_type.data = NULL;
    r->headers_out.content_type_lowcase = NULL;

    ngx_http_clear_accept_ranges(r);
    ngx_http_clear_last_modified(r);
    ngx_http_clear_etag(r);

    r->keepalive = 0;

    return ngx_http_send_header(r);
}


/* a comma separated header value holds the token, in any case */

static ngx_uint_t
ngx_http_mskanban_ws_has_token(ngx_str_t *value, const char *token)
{
    size_t   len;
    u_char  *p, *end, *start, *stop;

    len = ngx_strlen(token);
    p = value->data;
    end = value->data + value->len;

    while (p < end) {

        while (p < end && (*p == ' ' || *p == '\t' || *p == ',')) {
            p++;
        }

        start = p;

        while (p < end && *p != ',') {
            p++;
        }

        stop = p;

        while (stop > start && (stop[-1] == ' ' || stop[-1] == '\t')) {
            stop--;
        }

        if ((size_t) (stop - start) == len
            && ngx_strncasecmp(start, (u_char *) token, len) == 0)
        {
            return 1;
        }
    }

    return 0;
}
