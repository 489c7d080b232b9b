
/*
 * ngx_http_mskanban_util: small helpers shared by the module's files.
 *
 * JSON error answers in the API's shape, id validation, and a reader for
 * one string member of a flat JSON object (the revocation messages); the
 * module needs no full JSON parser and links no JSON library.
 */


#include "ngx_http_mskanban_module.h"


static u_char *ngx_http_mskanban_json_ws(u_char *p, u_char *end);
static u_char *ngx_http_mskanban_json_skip_string(u_char *p, u_char *end);
static u_char *ngx_http_mskanban_json_skip_value(u_char *p, u_char *end);


/*
 * Answers {"error":{"code":..,"message":..}} with the given status. code
 * and message are literals of ours and need no escaping. Returns what the
 * content handler should return.
 */

ngx_int_t
ngx_http_mskanban_send_error(ngx_http_request_t *r, ngx_uint_t status,
    const char *code, const char *message)
{
    size_t      len;
    ngx_buf_t  *b;

    if (ngx_http_discard_request_body(r) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    len = sizeof("{\"error\":{\"code\":\"\",\"message\":\"\"}}\n") - 1
          + ngx_strlen(code) + ngx_strlen(message);

    b = ngx_create_temp_buf(r->pool, len);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->last = ngx_sprintf(b->last,
                          "{\"error\":{\"code\":\"%s\",\"message\":\"%s\"}}\n",
                          code, message);
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    if (ngx_http_mskanban_add_header(r, "Cache-Control", "no-store")
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_mskanban_send_json(r, status, b);
}


/*
 * Sends b, a complete JSON document, as the response body with the given
 * status. Returns what the content handler should return.
 */

ngx_int_t
ngx_http_mskanban_send_json(ngx_http_request_t *r, ngx_uint_t status,
    ngx_buf_t *b)
{
    ngx_int_t    rc;
    ngx_chain_t  out;

    r->headers_out.status = status;
    r->headers_out.content_length_n = b->last - b->pos;
    ngx_str_set(&r->headers_out.content_type, "application/json");
    r->headers_out.content_type_len = r->headers_out.content_type.len;
    r->headers_out.content_type_lowcase = NULL;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}


/*
 * Adds a response header. key and value must outlive the request (string
 * literals do). NGX_OK or NGX_ERROR.
 */

ngx_int_t
ngx_http_mskanban_add_header(ngx_http_request_t *r, char *key, char *value)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    h->key.len = ngx_strlen(key);
    h->key.data = (u_char *) key;
    h->value.len = ngx_strlen(value);
    h->value.data = (u_char *) value;

    return NGX_OK;
}


/*
 * Board ids are CUIDs: lowercase base36, at most 64 characters. They end
 * up in Redis channel and key names, so nothing else is let through.
 */

ngx_int_t
ngx_http_mskanban_valid_id(u_char *p, size_t len)
{
    u_char  *end;

    if (len == 0 || len > NGX_HTTP_MSKANBAN_ID_MAX) {
        return NGX_DECLINED;
    }

    for (end = p + len; p < end; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))) {
            return NGX_DECLINED;
        }
    }

    return NGX_OK;
}


/*
 * Finds the top-level member "key" of a JSON object and points value at
 * its string contents. Returns NGX_OK, NGX_DECLINED when the member is
 * missing or not a plain string (escapes are not expected in ids), or
 * NGX_ERROR when the text is not a JSON object.
 */

ngx_int_t
ngx_http_mskanban_json_string(u_char *json, size_t len, const char *key,
    ngx_str_t *value)
{
    size_t   klen;
    u_char  *p, *end, *name, *next;

    p = json;
    end = json + len;
    klen = ngx_strlen(key);

    p = ngx_http_mskanban_json_ws(p, end);

    if (p == end || *p++ != '{') {
        return NGX_ERROR;
    }

    for ( ;; ) {
        p = ngx_http_mskanban_json_ws(p, end);

        if (p == end) {
            return NGX_ERROR;
        }

        if (*p == '}') {
            return NGX_DECLINED;
        }

        if (*p != '"') {
            return NGX_ERROR;
        }

        name = p + 1;
        p = ngx_http_mskanban_json_skip_string(p, end);
        if (p == NULL) {
            return NGX_ERROR;
        }

        /* p is past the closing quote */

        next = ngx_http_mskanban_json_ws(p, end);
        if (next == end || *next != ':') {
            return NGX_ERROR;
        }

        next = ngx_http_mskanban_json_ws(next + 1, end);
        if (next == end) {
            return NGX_ERROR;
        }

        if ((size_t) (p - 1 - name) == klen
            && ngx_strncmp(name, key, klen) == 0)
        {
            if (*next != '"') {
                return NGX_DECLINED;
            }

            p = ngx_http_mskanban_json_skip_string(next, end);
            if (p == NULL) {
                return NGX_ERROR;
            }

            value->data = next + 1;
            value->len = p - 1 - value->data;

            if (ngx_strlchr(value->data, value->data + value->len, '\\')) {
                return NGX_DECLINED;
            }

            return NGX_OK;
        }

        p = ngx_http_mskanban_json_skip_value(next, end);
        if (p == NULL) {
            return NGX_ERROR;
        }

        p = ngx_http_mskanban_json_ws(p, end);

        if (p == end) {
            return NGX_ERROR;
        }

        if (*p == ',') {
            p++;
            continue;
        }

        if (*p == '}') {
            return NGX_DECLINED;
        }

        return NGX_ERROR;
    }
}


/* a header by name, case-insensitively; NULL when absent */

ngx_str_t *
ngx_http_mskanban_find_header(ngx_list_t *headers, const char *name)
{
    size_t            len;
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    len = ngx_strlen(name);
    part = &headers->part;
    h = part->elts;

    for (i = 0; /* void */ ; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                return NULL;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].hash != 0
            && h[i].key.len == len
            && ngx_strncasecmp(h[i].key.data, (u_char *) name, len) == 0)
        {
            return &h[i].value;
        }
    }
}

static u_char *
ngx_http_mskanban_json_ws(u_char *p, u_char *end)
{
    while (p < end
           && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
    {
        p++;
    }

    return p;
}


/* p at the opening quote; returns the byte after the closing quote */

static u_char *
ngx_http_mskanban_json_skip_string(u_char *p, u_char *end)
{
    for (p++; p < end; p++) {

        if (*p == '\\') {
            p++;
            continue;
        }

        if (*p == '"') {
            return p + 1;
        }
    }

    return NULL;
}


static u_char *
ngx_http_mskanban_json_skip_value(u_char *p, u_char *end)
{
    ngx_uint_t  depth;

    if (*p == '"') {
        return ngx_http_mskanban_json_skip_string(p, end);
    }

    if (*p != '{' && *p != '[') {

        /* number, true, false, null */

        while (p < end && *p != ',' && *p != '}' && *p != ']'
               && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
        {
            p++;
        }

        return p;
    }

    depth = 0;

    while (p < end) {

        switch (*p) {

        case '"':
            p = ngx_http_mskanban_json_skip_string(p, end);
            if (p == NULL) {
                return NULL;
            }
            continue;

        case '{':
        case '[':
            depth++;
            break;

        case '}':
        case ']':
            if (--depth == 0) {
                return p + 1;
            }
            break;
        }

        p++;
    }

    return NULL;
}
