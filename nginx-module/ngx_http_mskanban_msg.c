
/*
 * ngx_http_mskanban_msg: board events, from Redis text to SSE frames.
 *
 * A tick arrives either published ("<streamId> <VERB> <json>") or from the
 * board stream (id plus fields verb and data). Both become one refcounted
 * frame "id: ..\nevent: ..\ndata: ..\n\n" that every local subscriber of
 * the board shares; the last one to write it frees it.
 */


#include "ngx_http_mskanban_module.h"


static ngx_int_t ngx_http_mskanban_valid_verb(ngx_str_t *verb);


/*
 * One entry of an XRANGE/XREVRANGE reply, [id, [field, value, ...]]: its
 * id, as text and parsed, and its fields; NGX_ERROR when it has not that
 * shape. The board streams' replay and the revocation log read both.
 */

ngx_int_t
ngx_http_mskanban_xentry(redisReply *entry, ngx_str_t *id,
    ngx_http_mskanban_sid_t *sid, redisReply **fields)
{
    if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2
        || entry->element[0]->type != REDIS_REPLY_STRING
        || entry->element[1]->type != REDIS_REPLY_ARRAY)
    {
        return NGX_ERROR;
    }

    id->data = (u_char *) entry->element[0]->str;
    id->len = entry->element[0]->len;

    if (ngx_http_mskanban_sid_parse(id->data, id->len, sid) != NGX_OK) {
        return NGX_ERROR;
    }

    *fields = entry->element[1];

    return NGX_OK;
}


/* the value of an entry's field `name` (the last one so named), or "" */

void
ngx_http_mskanban_xfield(redisReply *fields, const char *name,
    ngx_str_t *value)
{
    size_t       j, len;
    redisReply  *f, *v;

    ngx_str_null(value);
    len = ngx_strlen(name);

    for (j = 0; j + 1 < fields->elements; j += 2) {
        f = fields->element[j];
        v = fields->element[j + 1];

        if (f->type == REDIS_REPLY_STRING && v->type == REDIS_REPLY_STRING
            && f->len == len && ngx_strncmp(f->str, name, len) == 0)
        {
            value->data = (u_char *) v->str;
            value->len = v->len;
        }
    }
}


/* parses "<ms>-<seq>"; a bare "<ms>" means "<ms>-0" as in Redis */

ngx_int_t
ngx_http_mskanban_sid_parse(u_char *p, size_t len,
    ngx_http_mskanban_sid_t *sid)
{
    u_char     *end;
    uint64_t   *n, cutoff;
    ngx_uint_t  digits;

    end = p + len;
    sid->ms = 0;
    sid->seq = 0;
    n = &sid->ms;
    digits = 0;
    cutoff = (uint64_t) -1 / 10;

    for ( /* void */ ; p < end; p++) {

        if (*p == '-' && n == &sid->ms && digits > 0) {
            n = &sid->seq;
            digits = 0;
            continue;
        }

        if (*p < '0' || *p > '9' || *n > cutoff || ++digits > 20) {
            return NGX_ERROR;
        }

        if (*n * 10 > (uint64_t) -1 - (*p - '0')) {
            return NGX_ERROR;
        }

        *n = *n * 10 + (*p - '0');
    }

    return digits > 0 ? NGX_OK : NGX_ERROR;
}


ngx_int_t
ngx_http_mskanban_sid_cmp(ngx_http_mskanban_sid_t *a,
    ngx_http_mskanban_sid_t *b)
{
    if (a->ms != b->ms) {
        return a->ms < b->ms ? -1 : 1;
    }

    if (a->seq != b->seq) {
        return a->seq < b->seq ? -1 : 1;
    }

    return 0;
}


/*
 * Encodes one event. A data value with line breaks becomes several "data:"
 * lines, as the SSE format requires. Returns NULL on a bad id or verb or
 * when out of memory (logged).
 */

ngx_http_mskanban_msg_t *
ngx_http_mskanban_msg_event(ngx_str_t *id, ngx_str_t *verb, ngx_str_t *data,
    ngx_log_t *log)
{
    size_t                    len;
    u_char                   *p, *s, *end;
    ngx_http_mskanban_sid_t   sid;
    ngx_http_mskanban_msg_t  *msg;

    if (ngx_http_mskanban_sid_parse(id->data, id->len, &sid) != NGX_OK) {
        ngx_log_error(NGX_LOG_WARN, log, 0,
                      "mskanban: invalid tick id \"%V\"", id);
        return NULL;
    }

    if (ngx_http_mskanban_valid_verb(verb) != NGX_OK) {
        ngx_log_error(NGX_LOG_WARN, log, 0,
                      "mskanban: invalid tick verb \"%V\"", verb);
        return NULL;
    }

    len = sizeof("id: \nevent: \ndata: \n\n") - 1 + id->len + verb->len
          + data->len;

    end = data->data + data->len;

    for (p = data->data; p < end; p++) {
        if (*p == '\n') {
            len += sizeof("data: ") - 1;
        }
    }

    msg = ngx_alloc(sizeof(ngx_http_mskanban_msg_t) + len, log);
    if (msg == NULL) {
        return NULL;
    }

    msg->refs = 1;
    msg->sid = sid;
    msg->has_sid = 1;
    msg->data = (u_char *) msg + sizeof(ngx_http_mskanban_msg_t);

    p = ngx_cpymem(msg->data, "id: ", 4);
    p = ngx_cpymem(p, id->data, id->len);
    p = ngx_cpymem(p, "\nevent: ", 8);
    p = ngx_cpymem(p, verb->data, verb->len);
    p = ngx_cpymem(p, "\ndata: ", 7);

    for (s = data->data; s < end; s++) {

        if (*s == '\r') {
            continue;
        }

        if (*s == '\n') {
            p = ngx_cpymem(p, "\ndata: ", 7);
            continue;
        }

        *p++ = *s;
    }

    *p++ = '\n';
    *p++ = '\n';

    msg->len = p - msg->data;

    return msg;
}


/* a published tick: "<streamId> <VERB> <json data>" */

ngx_http_mskanban_msg_t *
ngx_http_mskanban_msg_parse(u_char *p, size_t len, ngx_log_t *log)
{
    u_char     *end, *sp;
    ngx_str_t   id, verb, data;

    end = p + len;

    sp = ngx_strlchr(p, end, ' ');
    if (sp == NULL) {
        goto invalid;
    }

    id.data = p;
    id.len = sp - p;

    p = sp + 1;

    sp = ngx_strlchr(p, end, ' ');
    if (sp == NULL) {
        goto invalid;
    }

    verb.data = p;
    verb.len = sp - p;

    data.data = sp + 1;
    data.len = end - data.data;

    return ngx_http_mskanban_msg_event(&id, &verb, &data, log);

invalid:

    ngx_log_error(NGX_LOG_WARN, log, 0,
                  "mskanban: invalid tick \"%*s\"",
                  ngx_min(len, 128), end - len);

    return NULL;
}


/* an unnamed frame: a comment, a "retry:" line */

ngx_http_mskanban_msg_t *
ngx_http_mskanban_msg_raw(u_char *p, size_t len, ngx_log_t *log)
{
    ngx_http_mskanban_msg_t  *msg;

    msg = ngx_alloc(sizeof(ngx_http_mskanban_msg_t) + len, log);
    if (msg == NULL) {
        return NULL;
    }

    ngx_memzero(msg, sizeof(ngx_http_mskanban_msg_t));

    msg->refs = 1;
    msg->len = len;
    msg->data = (u_char *) msg + sizeof(ngx_http_mskanban_msg_t);
    ngx_memcpy(msg->data, p, len);

    return msg;
}


void
ngx_http_mskanban_msg_release(ngx_http_mskanban_msg_t *msg)
{
    if (--msg->refs == 0) {
        ngx_free(msg);
    }
}


static ngx_int_t
ngx_http_mskanban_valid_verb(ngx_str_t *verb)
{
    u_char  *p, *end;

    if (verb->len == 0 || verb->len > 64) {
        return NGX_ERROR;
    }

    end = verb->data + verb->len;

    for (p = verb->data; p < end; p++) {
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')
              || (*p >= '0' && *p <= '9')
              || *p == '_' || *p == '.' || *p == ':' || *p == '-'))
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}
