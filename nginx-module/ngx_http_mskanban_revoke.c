
/*
 * ngx_http_mskanban_revoke: closing the streams of readers who lost access.
 *
 * The core publishes on "mskanban:revoke" when a session is revoked, a
 * user deleted, a member removed or a workspace (or board) deleted:
 *   {"type":"session","sessionId":..}      {"type":"user","userId":..}
 *   {"type":"member","workspaceId":..,"userId":..}
 *   {"type":"workspace","workspaceId":..}  {"type":"board","boardId":..}
 * Matching local streams are closed; when their clients reconnect, the
 * core's authorization answers 401 or 404 and EventSource stops. Each
 * notice is read once and matched against the live streams and the
 * WebSocket relay's sockets (ngx_http_mskanban_ws_revoke, 4403) alike.
 *
 * The core also appends each revocation to the stream
 * "mskanban:revoke:log" (field "data", trimmed to about 10,000 entries)
 * and the published notice carries that entry's id as "streamId". Each
 * worker remembers the newest id it was sent. When the subscriber
 * connection comes back after a loss (and its SUBSCRIBE is confirmed, so
 * nothing falls between), the log is read on the command connection from
 * that id on (XRANGE, inclusive, in pages) and every later entry is
 * applied as if it had been published live. The first entry of each page
 * must be the id asked for: when it is not (trimmed past, or the log gone
 * because Redis restarted without persistence), or when no id was known,
 * the gap cannot be covered and every stream is re-checked as before:
 * closed with a jittered "retry:" at a random moment within
 * mskanban_redis_loss_recheck, its client comes back and is authorized
 * again. A worker that finds the log empty adds a marker entry (field
 * "mark") so that it has an id to resume from.
 */
#include "ngx_http_mskanban_module.h"
#include "ngx_http_mskanban_ws.h"


#define NGX_HTTP_MSKANBAN_REVOKE_PAGE  128


/* where this worker is in the revocation log */
typedef struct {
    ngx_http_mskanban_sid_t  last;      /* newest id seen */
    ngx_http_mskanban_sid_t  from;      /* first id of the page asked for */
    ngx_uint_t               gen;       /* bumped by each loss */
    ngx_uint_t               applied;   /* by the read in progress */
    unsigned                 known:1;   /* "last" is set */
    unsigned                 lost:1;    /* a loss not yet covered */
    unsigned                 want:1;    /* a read is due */
    unsigned                 inflight:1;
} ngx_http_mskanban_revoke_log_t;


static void ngx_http_mskanban_revoke_apply(u_char *json, size_t len);
static void ngx_http_mskanban_revoke_saw(ngx_http_mskanban_sid_t *sid);
static void ngx_http_mskanban_revoke_read(void);
static void ngx_http_mskanban_revoke_page(redisAsyncContext *ac, void *r,
    void *privdata);
static void ngx_http_mskanban_revoke_base(redisAsyncContext *ac, void *r,
    void *privdata);
static ngx_uint_t ngx_http_mskanban_revoke_current(void *privdata,
    redisReply *reply);
static void ngx_http_mskanban_revoke_uncovered(const char *why);
static ngx_int_t ngx_http_mskanban_revoke_entry(redisReply *entry,
    ngx_http_mskanban_sid_t *sid, ngx_str_t *data);
static ngx_uint_t ngx_http_mskanban_str_eq(ngx_str_t *a, ngx_str_t *b);


static ngx_http_mskanban_revoke_log_t  ngx_http_mskanban_revoke_log;


/*
 * A revocation published live: its "streamId" (when the core sent one) is
 * remembered, then it is applied.
 */

void
ngx_http_mskanban_revoke(u_char *json, size_t len)
{
    ngx_str_t                id;
    ngx_http_mskanban_sid_t  sid;

    if (ngx_http_mskanban_json_string(json, len, "streamId", &id) == NGX_OK
        && ngx_http_mskanban_sid_parse(id.data, id.len, &sid) == NGX_OK)
    {
        ngx_http_mskanban_revoke_saw(&sid);
    }

    ngx_http_mskanban_revoke_apply(json, len);
}


/* the subscriber connection dropped: what is published meanwhile is lost */

void
ngx_http_mskanban_revoke_lost(void)
{
    ngx_http_mskanban_revoke_log_t  *lg = &ngx_http_mskanban_revoke_log;

    lg->lost = 1;
    lg->gen++;          /* a reply still in flight is stale */
    lg->want = 0;
    lg->inflight = 0;
}


/*
 * The subscriber is (again) subscribed to revocations: from now on they
 * arrive live, and the log holds those published before.
 */

void
ngx_http_mskanban_revoke_subscribed(void)
{
    ngx_http_mskanban_revoke_log_t  *lg = &ngx_http_mskanban_revoke_log;

    lg->want = 1;
    lg->applied = 0;

    if (!lg->inflight) {
        ngx_http_mskanban_revoke_read();
    }
}


/* the command connection is ready: a read that waited for it goes on */

void
ngx_http_mskanban_revoke_cmd_ready(void)
{
    ngx_http_mskanban_revoke_log_t  *lg = &ngx_http_mskanban_revoke_log;

    if (lg->want && !lg->inflight) {
        ngx_http_mskanban_revoke_read();
    }
}


static void
ngx_http_mskanban_revoke_saw(ngx_http_mskanban_sid_t *sid)
{
    ngx_http_mskanban_revoke_log_t  *lg = &ngx_http_mskanban_revoke_log;

    if (!lg->known || ngx_http_mskanban_sid_cmp(sid, &lg->last) > 0) {
        lg->last = *sid;
        lg->known = 1;
    }
}


/*
 * Asks for the next page after the newest id seen, or, with none, for the
 * log's newest entry. Without a command connection the read waits for
 * ngx_http_mskanban_revoke_cmd_ready().
 */

static void
ngx_http_mskanban_revoke_read(void)
{
    int                              rc;
    u_char                           start[2 * NGX_INT64_LEN + 2], *p;
    redisAsyncContext               *ac;
    ngx_http_mskanban_revoke_log_t  *lg = &ngx_http_mskanban_revoke_log;

    /* commands queue behind the connection's setup, as the replay's do */

    ac = ngx_http_mskanban_worker.cmd.ac;

    if (ac == NULL) {
        return;
    }

    if (!lg->known) {
        if (lg->lost) {
            ngx_http_mskanban_revoke_uncovered("no revocation id is known");
        }

        rc = redisAsyncCommand(ac, ngx_http_mskanban_revoke_base,
                               (void *) (uintptr_t) lg->gen,
                               "XREVRANGE " NGX_HTTP_MSKANBAN_REVOKE_LOG
                               " + - COUNT 1");

    } else {
        lg->from = lg->last;
        p = ngx_sprintf(start, "%uL-%uL", lg->from.ms, lg->from.seq);

        rc = redisAsyncCommand(ac, ngx_http_mskanban_revoke_page,
                               (void *) (uintptr_t) lg->gen,
                               "XRANGE " NGX_HTTP_MSKANBAN_REVOKE_LOG
                               " %b + COUNT %d",
                               start, (size_t) (p - start),
                               NGX_HTTP_MSKANBAN_REVOKE_PAGE);
    }

    if (rc != REDIS_OK) {
        ngx_log_error(NGX_LOG_ERR, ngx_cycle->log, 0,
                      "mskanban: cannot read the revocation log");
        return;
    }

    lg->inflight = 1;
}


/*
 * A page of the log from lg->from on: it must start with that entry, or
 * revocations between it and the next one may be gone.
 */

static void
ngx_http_mskanban_revoke_page(redisAsyncContext *ac, void *r, void *privdata)
{
    redisReply                      *reply = r;
    size_t                           i;
    ngx_str_t                        data;
    ngx_http_mskanban_sid_t          sid;
    ngx_http_mskanban_revoke_log_t  *lg = &ngx_http_mskanban_revoke_log;

    if (!ngx_http_mskanban_revoke_current(privdata, reply)) {
        return;
    }

    if (reply->type != REDIS_REPLY_ARRAY) {
        ngx_log_error(NGX_LOG_ERR, ngx_cycle->log, 0,
                      "mskanban: revocation log read failed: %*s",
                      reply->type == REDIS_REPLY_ERROR ? (size_t) reply->len
                                                       : (size_t) 0,
                      reply->str);
        ngx_http_mskanban_revoke_uncovered("the log could not be read");
        ngx_http_mskanban_revoke_read();
        return;
    }

    if (reply->elements == 0
        || ngx_http_mskanban_revoke_entry(reply->element[0], &sid, &data)
           != NGX_OK
        || ngx_http_mskanban_sid_cmp(&sid, &lg->from) != 0)
    {
        ngx_http_mskanban_revoke_uncovered(
            "the log no longer holds the last revocation seen");
        ngx_http_mskanban_revoke_read();
        return;
    }

    for (i = 1; i < reply->elements; i++) {
        if (ngx_http_mskanban_revoke_entry(reply->element[i], &sid, &data)
            != NGX_OK)
        {
            continue;
        }

        ngx_http_mskanban_revoke_saw(&sid);

        if (data.len) {
            ngx_http_mskanban_revoke_apply(data.data, data.len);
            lg->applied++;
        }
    }

    if (reply->elements == NGX_HTTP_MSKANBAN_REVOKE_PAGE) {
        ngx_http_mskanban_revoke_read();
        return;
    }

    if (lg->lost) {
        ngx_log_error(NGX_LOG_WARN, ngx_cycle->log, 0,
                      "mskanban: revocation log covered the redis loss: "
                      "%ui revocations applied, no stream re-checked",
                      lg->applied);
    }

    lg->want = 0;
    lg->lost = 0;
}


/*
 * The log's newest entry, where this worker starts; an empty log gets a
 * marker entry so that there is one.
 */

static void
ngx_http_mskanban_revoke_base(redisAsyncContext *ac, void *r, void *privdata)
{
    redisReply                      *reply = r;
    ngx_str_t                        data;
    ngx_http_mskanban_sid_t          sid;
    ngx_http_mskanban_revoke_log_t  *lg = &ngx_http_mskanban_revoke_log;

    if (!ngx_http_mskanban_revoke_current(privdata, reply)) {
        return;
    }

    if (reply->type == REDIS_REPLY_STRING
        && ngx_http_mskanban_sid_parse((u_char *) reply->str, reply->len,
                                       &sid) == NGX_OK)
    {
        /* the marker's id */
        ngx_http_mskanban_revoke_saw(&sid);

    } else if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 1
               && ngx_http_mskanban_revoke_entry(reply->element[0], &sid,
                                                 &data) == NGX_OK)
    {
        ngx_http_mskanban_revoke_saw(&sid);

    } else if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 0) {

        if (redisAsyncCommand(ac, ngx_http_mskanban_revoke_base,
                              (void *) (uintptr_t) lg->gen,
                              "XADD " NGX_HTTP_MSKANBAN_REVOKE_LOG
                              " * mark 1")
            == REDIS_OK)
        {
            lg->inflight = 1;
        }

        return;

    } else {
        ngx_log_error(NGX_LOG_ERR, ngx_cycle->log, 0,
                      "mskanban: unexpected answer from the revocation log");
        return;
    }

    /* revocations from now on arrive live */

    lg->want = 0;
}


/*
 * Whether a reply to the read in flight is to be used: not when a loss
 * made it stale, nor when it is NULL (the command connection dropped; the
 * read goes on from ngx_http_mskanban_revoke_cmd_ready()).
 */

static ngx_uint_t
ngx_http_mskanban_revoke_current(void *privdata, redisReply *reply)
{
    ngx_http_mskanban_revoke_log_t  *lg = &ngx_http_mskanban_revoke_log;

    if ((uintptr_t) privdata != lg->gen || !lg->inflight) {
        return 0;
    }

    lg->inflight = 0;

    return reply != NULL;
}


/*
 * Revocations may have been missed: every stream is closed at a random
 * moment within mskanban_redis_loss_recheck (its client comes back and is
 * authorized again), and the log is read afresh from its newest entry.
 */

static void
ngx_http_mskanban_revoke_uncovered(const char *why)
{
    ngx_uint_t                       n;
    ngx_queue_t                     *q;
    ngx_http_mskanban_sub_t         *sub;
    ngx_http_mskanban_worker_t      *w = &ngx_http_mskanban_worker;
    ngx_http_mskanban_revoke_log_t  *lg = &ngx_http_mskanban_revoke_log;

    lg->known = 0;

    if (!lg->lost) {
        return;
    }

    lg->lost = 0;
    n = 0;

    if (w->mcf->loss_recheck) {
        for (q = ngx_queue_head(&w->all);
             q != ngx_queue_sentinel(&w->all);
             q = ngx_queue_next(q))
        {
            sub = ngx_queue_data(q, ngx_http_mskanban_sub_t, all_link);

            if (!sub->recheck) {
                sub->recheck = ngx_current_msec + 1
                               + sub->jitter % w->mcf->loss_recheck;
                n++;
            }
        }
    }

    ngx_log_error(NGX_LOG_WARN, ngx_cycle->log, 0,
                  "mskanban: revocations may have been missed while redis "
                  "was away (%s): %ui streams re-checked within %M ms",
                  why, n, w->mcf->loss_recheck);
}


/* an entry of the log: its id and its "data" (empty for a marker) */

static ngx_int_t
ngx_http_mskanban_revoke_entry(redisReply *entry, ngx_http_mskanban_sid_t *sid,
    ngx_str_t *data)
{
    ngx_str_t    id;
    redisReply  *fields;

    ngx_str_null(data);

    if (ngx_http_mskanban_xentry(entry, &id, sid, &fields) != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_http_mskanban_xfield(fields, "data", data);

    return NGX_OK;
}


/*
 * Read once, then every local subscriber that matches is closed, and
 * every relay socket (ngx_http_mskanban_ws_revoke).
 */

static void
ngx_http_mskanban_revoke_apply(u_char *json, size_t len)
{
    ngx_int_t                        rc;
    ngx_str_t                        board;
    ngx_uint_t                       n;
    ngx_queue_t                     *q, *next;
    ngx_http_mskanban_sub_t         *sub;
    ngx_http_mskanban_worker_t      *w = &ngx_http_mskanban_worker;
    ngx_http_mskanban_revocation_t   rv;

    rc = ngx_http_mskanban_revocation_parse(json, len, &rv);

    if (rc == NGX_DECLINED) {
        ngx_log_error(NGX_LOG_INFO, ngx_cycle->log, 0,
                      "mskanban: ignored revocation of type \"%V\"", &rv.type);
        return;
    }

    if (rc != NGX_OK) {
        ngx_log_error(NGX_LOG_WARN, ngx_cycle->log, 0,
                      "mskanban: invalid revocation \"%*s\"",
                      ngx_min(len, 256), json);
        return;
    }

    n = 0;

    for (q = ngx_queue_head(&w->all);
         q != ngx_queue_sentinel(&w->all);
         q = next)
    {
        next = ngx_queue_next(q);
        sub = ngx_queue_data(q, ngx_http_mskanban_sub_t, all_link);

        board.data = sub->board_id;
        board.len = sub->board_id_len;

        if (ngx_http_mskanban_revocation_match(&rv, &sub->id, &board)) {
            ngx_http_mskanban_sub_close(sub, NGX_HTTP_MSKANBAN_CLOSE_REVOKED);
            n++;
        }
    }

    ngx_log_error(NGX_LOG_INFO, ngx_cycle->log, 0,
                  "mskanban: revocation of type \"%V\" closed %ui streams",
                  &rv.type, n);

    ngx_http_mskanban_ws_revoke(&rv);
}


/*
 * Reads a revocation: NGX_OK with the ids its type carries (the others
 * stay empty), NGX_DECLINED for an unknown type (rv->type is set),
 * NGX_ERROR when it is not one. Shared with the WebSocket relay.
 */

ngx_int_t
ngx_http_mskanban_revocation_parse(u_char *json, size_t len,
    ngx_http_mskanban_revocation_t *rv)
{
    ngx_str_t  *type;

    ngx_memzero(rv, sizeof(ngx_http_mskanban_revocation_t));

    type = &rv->type;

    if (ngx_http_mskanban_json_string(json, len, "type", type) != NGX_OK) {
        return NGX_ERROR;
    }

    if (type->len == 7 && ngx_strncmp(type->data, "session", 7) == 0) {
        return ngx_http_mskanban_json_string(json, len, "sessionId",
                                             &rv->session) == NGX_OK
               ? NGX_OK : NGX_ERROR;
    }

    if (type->len == 4 && ngx_strncmp(type->data, "user", 4) == 0) {
        return ngx_http_mskanban_json_string(json, len, "userId", &rv->user)
               == NGX_OK ? NGX_OK : NGX_ERROR;
    }

    if (type->len == 6 && ngx_strncmp(type->data, "member", 6) == 0) {
        return (ngx_http_mskanban_json_string(json, len, "userId", &rv->user)
                == NGX_OK
                && ngx_http_mskanban_json_string(json, len, "workspaceId",
                                                 &rv->workspace)
                   == NGX_OK)
               ? NGX_OK : NGX_ERROR;
    }

    if (type->len == 9 && ngx_strncmp(type->data, "workspace", 9) == 0) {
        return ngx_http_mskanban_json_string(json, len, "workspaceId",
                                             &rv->workspace) == NGX_OK
               ? NGX_OK : NGX_ERROR;
    }

    if (type->len == 5 && ngx_strncmp(type->data, "board", 5) == 0) {
        return ngx_http_mskanban_json_string(json, len, "boardId", &rv->board)
               == NGX_OK ? NGX_OK : NGX_ERROR;
    }

    return NGX_DECLINED;
}


/*
 * Whether a reader (its identity and board) is revoked: every id the
 * revocation names must match, and it names at least one.
 */

ngx_uint_t
ngx_http_mskanban_revocation_match(ngx_http_mskanban_revocation_t *rv,
    ngx_http_mskanban_identity_t *id, ngx_str_t *board)
{
    if (rv->session.len
        && !ngx_http_mskanban_str_eq(&rv->session, &id->session))
    {
        return 0;
    }

    if (rv->user.len && !ngx_http_mskanban_str_eq(&rv->user, &id->user)) {
        return 0;
    }

    if (rv->workspace.len
        && !ngx_http_mskanban_str_eq(&rv->workspace, &id->workspace))
    {
        return 0;
    }

    if (rv->board.len && !ngx_http_mskanban_str_eq(&rv->board, board)) {
        return 0;
    }

    return rv->session.len || rv->user.len || rv->workspace.len
           || rv->board.len;
}


static ngx_uint_t
ngx_http_mskanban_str_eq(ngx_str_t *a, ngx_str_t *b)
{
    return a->len == b->len && ngx_strncmp(a->data, b->data, a->len) == 0;
}
