
/*
 * ngx_http_mskanban_redis: hiredis async connections in nginx's event loop.
 *
 * Each worker owns a few of these (the fan-out subscriber, a command
 * connection). The socket hiredis opens is wrapped in an ngx_connection_t
 * whose read and write events call hiredis back; events are level
 * triggered because hiredis reads at most one buffer per call. A
 * connection is "ready" once AUTH, SELECT and a PING have answered; when
 * it drops, on_lost runs and it reconnects with exponential backoff
 * (100 ms doubling up to mskanban_redis_reconnect_max). hiredis owns and
 * closes the socket; nginx only borrows it.
 *
 * A read drains the socket until it is empty (hiredis reads 16 KiB per
 * call), so a burst never waits for the next loop pass and never grows
 * Redis's output buffer for us. A ready connection is PINGed on a timer
 * (a subscribed one re-SUBSCRIBEs "mskanban:ping", the only command
 * Redis answers in that mode that hiredis 0.14 can route back to us);
 * when nothing has come back for mskanban_redis_ping_timeout, the
 * connection is dropped as if Redis had closed it: a hung Redis (kill
 * -STOP, a stuck host) is noticed within the timeout.
 */


#include "ngx_http_mskanban_module.h"


#define NGX_HTTP_MSKANBAN_REDIS_IDLE        0
#define NGX_HTTP_MSKANBAN_REDIS_CONNECTING  1
#define NGX_HTTP_MSKANBAN_REDIS_READY       2

#define NGX_HTTP_MSKANBAN_REDIS_BACKOFF     100


static ngx_uint_t ngx_http_mskanban_redis_level(ngx_http_mskanban_redis_t *rd);
static void ngx_http_mskanban_redis_hurry_peers(ngx_http_mskanban_redis_t *rd);
static void ngx_http_mskanban_redis_retry(ngx_event_t *ev);
static void ngx_http_mskanban_redis_timeout(ngx_event_t *ev);
static void ngx_http_mskanban_redis_ping(ngx_event_t *ev);
static void ngx_http_mskanban_redis_pong(redisAsyncContext *ac, void *r,
    void *privdata);
static void ngx_http_mskanban_redis_schedule(ngx_http_mskanban_redis_t *rd);
static void ngx_http_mskanban_redis_fail(ngx_http_mskanban_redis_t *rd,
    const char *what);
static void ngx_http_mskanban_redis_connected(const redisAsyncContext *ac,
    int status);
static void ngx_http_mskanban_redis_disconnected(const redisAsyncContext *ac,
    int status);
static void ngx_http_mskanban_redis_setup_reply(redisAsyncContext *ac,
    void *r, void *privdata);
static void ngx_http_mskanban_redis_ready(redisAsyncContext *ac, void *r,
    void *privdata);

static ngx_int_t ngx_http_mskanban_redis_attach(redisAsyncContext *ac);
static void ngx_http_mskanban_redis_read_handler(ngx_event_t *ev);
static void ngx_http_mskanban_redis_write_handler(ngx_event_t *ev);
static void ngx_http_mskanban_redis_add_read(void *privdata);
static void ngx_http_mskanban_redis_del_read(void *privdata);
static void ngx_http_mskanban_redis_add_write(void *privdata);
static void ngx_http_mskanban_redis_del_write(void *privdata);
static void ngx_http_mskanban_redis_cleanup(void *privdata);


/* every connection of this worker (see hurry_peers) */
static ngx_queue_t  ngx_http_mskanban_redis_all;


void
ngx_http_mskanban_redis_init(ngx_http_mskanban_redis_t *rd, const char *name,
    ngx_http_mskanban_main_conf_t *mcf,
    ngx_http_mskanban_redis_handler_pt on_ready,
    ngx_http_mskanban_redis_handler_pt on_lost)
{
    ngx_memzero(rd, sizeof(ngx_http_mskanban_redis_t));

    rd->name = name;
    rd->mcf = mcf;
    rd->on_ready = on_ready;
    rd->on_lost = on_lost;

    rd->retry.handler = ngx_http_mskanban_redis_retry;
    rd->retry.data = rd;
    rd->retry.log = ngx_cycle->log;
    rd->retry.cancelable = 1;

    rd->timeout.handler = ngx_http_mskanban_redis_timeout;
    rd->timeout.data = rd;
    rd->timeout.log = ngx_cycle->log;
    rd->timeout.cancelable = 1;

    rd->ping.handler = ngx_http_mskanban_redis_ping;
    rd->ping.data = rd;
    rd->ping.log = ngx_cycle->log;
    rd->ping.cancelable = 1;

    if (ngx_http_mskanban_redis_all.next == NULL) {
        ngx_queue_init(&ngx_http_mskanban_redis_all);
    }

    ngx_queue_insert_tail(&ngx_http_mskanban_redis_all, &rd->link);
}


/* starts connecting; failures are logged and retried later */

void
ngx_http_mskanban_redis_connect(ngx_http_mskanban_redis_t *rd)
{
    ngx_uint_t                      level;
    redisAsyncContext              *ac;
    ngx_http_mskanban_main_conf_t  *mcf;

    if (rd->stopped || rd->ac != NULL) {
        return;
    }

    mcf = rd->mcf;

    if (mcf->unix_socket) {
        ac = redisAsyncConnectUnix((const char *) mcf->addr);

    } else {
        ac = redisAsyncConnect((const char *) mcf->addr, (int) mcf->port);
    }

    if (ac == NULL) {
        ngx_log_error(NGX_LOG_ALERT, ngx_cycle->log, 0,
                      "mskanban: redis %s connection: out of memory",
                      rd->name);
        ngx_http_mskanban_redis_schedule(rd);
        return;
    }

    if (ac->err) {
        level = ngx_http_mskanban_redis_level(rd);
        ngx_log_error(level, ngx_cycle->log, 0,
                      "mskanban: redis %s connection to \"%V\" failed: %s",
                      rd->name, &mcf->host, ac->errstr);
        redisAsyncFree(ac);
        ngx_http_mskanban_redis_schedule(rd);
        return;
    }

    if (ngx_http_mskanban_redis_attach(ac) != NGX_OK) {
        redisAsyncFree(ac);
        ngx_http_mskanban_redis_schedule(rd);
        return;
    }

    ac->data = rd;
    rd->ac = ac;
    rd->state = NGX_HTTP_MSKANBAN_REDIS_CONNECTING;

    /* TCP keepalive notices a Redis host that vanished without a reset */

    if (!mcf->unix_socket) {
        (void) redisEnableKeepAlive(&ac->c);
    }
    (void) redisAsyncSetDisconnectCallback(ac,
                                        ngx_http_mskanban_redis_disconnected);
    (void) redisAsyncSetConnectCallback(ac, ngx_http_mskanban_redis_connected);

    ngx_add_timer(&rd->timeout, mcf->connect_timeout);
}


/* closes for good (worker exit); pending callbacks get NULL replies */

void
ngx_http_mskanban_redis_stop(ngx_http_mskanban_redis_t *rd)
{
    redisAsyncContext  *ac;

    rd->stopped = 1;

    if (rd->link.next != NULL) {
        ngx_queue_remove(&rd->link);
        rd->link.next = NULL;
    }

    if (rd->retry.timer_set) {
        ngx_del_timer(&rd->retry);
    }

    if (rd->timeout.timer_set) {
        ngx_del_timer(&rd->timeout);
    }

    if (rd->ping.timer_set) {
        ngx_del_timer(&rd->ping);
    }

    ac = rd->ac;

    if (ac != NULL) {
        rd->ac = NULL;
        rd->state = NGX_HTTP_MSKANBAN_REDIS_IDLE;
        ac->data = NULL;
        redisAsyncFree(ac);
    }
}


/* the context to send commands on, or NULL while not ready */

redisAsyncContext *
ngx_http_mskanban_redis_context(ngx_http_mskanban_redis_t *rd)
{
    if (rd->state != NGX_HTTP_MSKANBAN_REDIS_READY) {
        return NULL;
    }

    return rd->ac;
}


/*
 * The first failure after a success is an error, the retries are info.
 * Call it once per message: ngx_log_error() evaluates its level twice.
 */

static ngx_uint_t
ngx_http_mskanban_redis_level(ngx_http_mskanban_redis_t *rd)
{
    return rd->failures++ ? NGX_LOG_INFO : NGX_LOG_ERR;
}


static void
ngx_http_mskanban_redis_retry(ngx_event_t *ev)
{
    ngx_http_mskanban_redis_connect(ev->data);
}


static void
ngx_http_mskanban_redis_timeout(ngx_event_t *ev)
{
    ngx_http_mskanban_redis_t  *rd = ev->data;

    if (rd->state == NGX_HTTP_MSKANBAN_REDIS_CONNECTING) {
        ngx_http_mskanban_redis_fail(rd, "timed out");
    }
}


/*
 * The keepalive: fails the connection when nothing came back for
 * ping_timeout, otherwise asks again; fires at least every quarter of the
 * timeout and exactly when it would run out.
 */

static void
ngx_http_mskanban_redis_ping(ngx_event_t *ev)
{
    ngx_http_mskanban_redis_t  *rd = ev->data;

    int                 rc;
    ngx_msec_t          timeout, idle, next;
    redisAsyncContext  *ac;

    ac = rd->ac;
    timeout = rd->mcf->ping_timeout;

    if (rd->state != NGX_HTTP_MSKANBAN_REDIS_READY || ac == NULL
        || timeout == 0)
    {
        return;
    }

    idle = ngx_current_msec - rd->alive;

    if ((ngx_msec_int_t) idle >= (ngx_msec_int_t) timeout) {
        ngx_log_error(NGX_LOG_ERR, ngx_cycle->log, 0,
                      "mskanban: redis %s connection to \"%V\" did not "
                      "answer PING within %M ms (mskanban_redis_ping_timeout)",
                      rd->name, &rd->mcf->host, idle);
        ngx_http_mskanban_redis_fail(rd, "is not answering");
        return;
    }

    if (ac->c.flags & REDIS_SUBSCRIBED) {
        rc = redisAsyncCommand(ac, ngx_http_mskanban_redis_pong, NULL,
                               "SUBSCRIBE " NGX_HTTP_MSKANBAN_PING_CHANNEL);
    } else {
        rc = redisAsyncCommand(ac, ngx_http_mskanban_redis_pong, NULL,
                               "PING");
    }

    if (rc != REDIS_OK) {
        ngx_http_mskanban_redis_fail(rd, "cannot be PINGed");
        return;
    }

    next = ngx_max(timeout / 4, 1);
    next = ngx_min(next, timeout - idle);

    ngx_add_timer(ev, next);
}


static void
ngx_http_mskanban_redis_pong(redisAsyncContext *ac, void *r, void *privdata)
{
    ngx_http_mskanban_redis_t  *rd;

    rd = ac->data;

    if (rd != NULL && r != NULL) {
        rd->alive = ngx_current_msec;
    }
}


static void
ngx_http_mskanban_redis_schedule(ngx_http_mskanban_redis_t *rd)
{
    ngx_msec_t  delay;

    if (rd->stopped || rd->retry.timer_set) {
        return;
    }

    if (rd->backoff == 0) {
        rd->backoff = NGX_HTTP_MSKANBAN_REDIS_BACKOFF;

    } else {
        rd->backoff = ngx_min(rd->backoff * 2, rd->mcf->reconnect_max);
    }

    /* up to a quarter more, so that workers do not reconnect in step */

    delay = rd->backoff + (ngx_msec_t) ngx_random() % (rd->backoff / 4 + 1);

    ngx_add_timer(&rd->retry, delay);
}


/* drops the connection from our side and schedules a reconnect */

static void
ngx_http_mskanban_redis_fail(ngx_http_mskanban_redis_t *rd, const char *what)
{
    ngx_uint_t          was_ready, level;
    redisAsyncContext  *ac;

    ac = rd->ac;

    if (ac == NULL) {
        return;
    }

    level = ngx_http_mskanban_redis_level(rd);
    ngx_log_error(level, ngx_cycle->log, 0,
                  "mskanban: redis %s connection to \"%V\" %s",
                  rd->name, &rd->mcf->host, what);

    was_ready = (rd->state == NGX_HTTP_MSKANBAN_REDIS_READY);

    rd->ac = NULL;
    rd->state = NGX_HTTP_MSKANBAN_REDIS_IDLE;
    ac->data = NULL;

    if (rd->timeout.timer_set) {
        ngx_del_timer(&rd->timeout);
    }

    if (rd->ping.timer_set) {
        ngx_del_timer(&rd->ping);
    }

    /* deferred by hiredis when called from one of its callbacks */
    redisAsyncFree(ac);

    if (was_ready && rd->on_lost) {
        rd->on_lost(rd);
    }

    ngx_http_mskanban_redis_schedule(rd);
}


static void
ngx_http_mskanban_redis_connected(const redisAsyncContext *cac, int status)
{
    ngx_uint_t                      level;
    redisAsyncContext              *ac;
    ngx_http_mskanban_redis_t      *rd;
    ngx_http_mskanban_main_conf_t  *mcf;

    ac = (redisAsyncContext *) cac;
    rd = ac->data;

    if (rd == NULL) {
        return;
    }

    if (status != REDIS_OK) {

        /* hiredis frees the context when this returns */

        level = ngx_http_mskanban_redis_level(rd);
        ngx_log_error(level, ngx_cycle->log, 0,
                      "mskanban: redis %s connection to \"%V\" failed: %s",
                      rd->name, &rd->mcf->host,
                      ac->errstr ? ac->errstr : "unknown error");

        ac->data = NULL;
        rd->ac = NULL;
        rd->state = NGX_HTTP_MSKANBAN_REDIS_IDLE;

        if (rd->timeout.timer_set) {
            ngx_del_timer(&rd->timeout);
        }

        ngx_http_mskanban_redis_schedule(rd);
        return;
    }

    mcf = rd->mcf;

    if (mcf->password.len
        && redisAsyncCommand(ac, ngx_http_mskanban_redis_setup_reply,
                             (void *) "AUTH", "AUTH %b",
                             mcf->password.data, mcf->password.len)
           != REDIS_OK)
    {
        goto failed;
    }

    if (mcf->db
        && redisAsyncCommand(ac, ngx_http_mskanban_redis_setup_reply,
                             (void *) "SELECT", "SELECT %d", (int) mcf->db)
           != REDIS_OK)
    {
        goto failed;
    }

    if (redisAsyncCommand(ac, ngx_http_mskanban_redis_ready, NULL, "PING")
        != REDIS_OK)
    {
        goto failed;
    }

    return;

failed:

    /* the context is alive; close it from a timer, not from here */

    if (rd->timeout.timer_set) {
        ngx_del_timer(&rd->timeout);
    }

    ngx_add_timer(&rd->timeout, 1);
}


static void
ngx_http_mskanban_redis_disconnected(const redisAsyncContext *cac, int status)
{
    ngx_uint_t                  was_ready;
    redisAsyncContext          *ac;
    ngx_http_mskanban_redis_t  *rd;

    ac = (redisAsyncContext *) cac;
    rd = ac->data;

    if (rd == NULL) {
        return;
    }

    ngx_log_error(NGX_LOG_ERR, ngx_cycle->log, 0,
                  "mskanban: redis %s connection to \"%V\" lost: %s",
                  rd->name, &rd->mcf->host,
                  (status == REDIS_OK || ac->errstr == NULL)
                  ? "closed" : ac->errstr);

    was_ready = (rd->state == NGX_HTTP_MSKANBAN_REDIS_READY);
    rd->failures = 1;

    ac->data = NULL;
    rd->ac = NULL;
    rd->state = NGX_HTTP_MSKANBAN_REDIS_IDLE;

    if (rd->timeout.timer_set) {
        ngx_del_timer(&rd->timeout);
    }

    if (rd->ping.timer_set) {
        ngx_del_timer(&rd->ping);
    }

    if (was_ready && rd->on_lost) {
        rd->on_lost(rd);
    }

    ngx_http_mskanban_redis_schedule(rd);
}


static void
ngx_http_mskanban_redis_setup_reply(redisAsyncContext *ac, void *r,
    void *privdata)
{
    redisReply                 *reply = r;
    ngx_http_mskanban_redis_t  *rd;

    rd = ac->data;

    if (rd == NULL || reply == NULL) {
        return;
    }

    if (reply->type == REDIS_REPLY_ERROR) {
        ngx_log_error(NGX_LOG_ERR, ngx_cycle->log, 0,
                      "mskanban: redis %s %s failed: %*s",
                      rd->name, (char *) privdata,
                      (size_t) reply->len, reply->str);

        ngx_http_mskanban_redis_fail(rd, "setup failed");
    }
}


static void
ngx_http_mskanban_redis_ready(redisAsyncContext *ac, void *r, void *privdata)
{
    redisReply                 *reply = r;
    ngx_http_mskanban_redis_t  *rd;

    rd = ac->data;

    if (rd == NULL || reply == NULL) {
        return;
    }

    if (reply->type == REDIS_REPLY_ERROR) {
        ngx_http_mskanban_redis_fail(rd, "refused PING");
        return;
    }

    if (rd->timeout.timer_set) {
        ngx_del_timer(&rd->timeout);
    }

    rd->state = NGX_HTTP_MSKANBAN_REDIS_READY;
    rd->backoff = 0;
    rd->failures = 0;
    rd->alive = ngx_current_msec;

    if (rd->mcf->ping_timeout && !rd->ping.timer_set) {
        ngx_add_timer(&rd->ping, ngx_max(rd->mcf->ping_timeout / 4, 1));
    }

    ngx_log_error(NGX_LOG_NOTICE, ngx_cycle->log, 0,
                  "mskanban: redis %s connection to \"%V\" ready",
                  rd->name, &rd->mcf->host);

    ngx_http_mskanban_redis_hurry_peers(rd);

    if (rd->on_ready) {
        rd->on_ready(rd);
    }
}


/*
 * Redis answers again: the worker's other connections that wait in
 * backoff (up to mskanban_redis_reconnect_max) retry now, with a little
 * jitter, so that a live stream's subscription and its replay (on the
 * command connection) come back together rather than seconds apart.
 */

static void
ngx_http_mskanban_redis_hurry_peers(ngx_http_mskanban_redis_t *rd)
{
    ngx_queue_t                *q;
    ngx_http_mskanban_redis_t  *peer;

    for (q = ngx_queue_head(&ngx_http_mskanban_redis_all);
         q != ngx_queue_sentinel(&ngx_http_mskanban_redis_all);
         q = ngx_queue_next(q))
    {
        peer = ngx_queue_data(q, ngx_http_mskanban_redis_t, link);

        if (peer == rd || peer->mcf != rd->mcf || peer->stopped
            || !peer->retry.timer_set)
        {
            continue;
        }

        ngx_del_timer(&peer->retry);
        peer->backoff = 0;
        ngx_add_timer(&peer->retry, 1 + (ngx_msec_t) ngx_random() % 50);
    }
}


/* the event library glue, in the shape hiredis's adapters have */

static ngx_int_t
ngx_http_mskanban_redis_attach(redisAsyncContext *ac)
{
    ngx_connection_t  *c;

    c = ngx_get_connection(ac->c.fd, ngx_cycle->log);
    if (c == NULL) {
        return NGX_ERROR;
    }

    c->data = ac;
    c->read->handler = ngx_http_mskanban_redis_read_handler;
    c->write->handler = ngx_http_mskanban_redis_write_handler;
    c->read->log = c->log;
    c->write->log = c->log;

    ac->ev.data = c;
    ac->ev.addRead = ngx_http_mskanban_redis_add_read;
    ac->ev.delRead = ngx_http_mskanban_redis_del_read;
    ac->ev.addWrite = ngx_http_mskanban_redis_add_write;
    ac->ev.delWrite = ngx_http_mskanban_redis_del_write;
    ac->ev.cleanup = ngx_http_mskanban_redis_cleanup;

    return NGX_OK;
}


/*
 * Reads until the socket is empty. Each call may end the context (its
 * callbacks can fail the connection, hiredis frees it on EOF); it is
 * used again only while its owner still holds it.
 */

static void
ngx_http_mskanban_redis_read_handler(ngx_event_t *ev)
{
    ngx_connection_t  *c = ev->data;

    int                         n;
    ngx_socket_t                fd;
    redisAsyncContext          *ac;
    ngx_http_mskanban_redis_t  *rd;

    ac = c->data;
    rd = ac->data;
    fd = c->fd;

    for ( ;; ) {
        redisAsyncHandleRead(ac);

        if (rd == NULL || rd->ac != ac || c->fd != fd) {
            return;
        }

        rd->alive = ngx_current_msec;

        if (ngx_socket_nread(fd, &n) == -1 || n <= 0) {
            return;
        }
    }
}


static void
ngx_http_mskanban_redis_write_handler(ngx_event_t *ev)
{
    ngx_connection_t  *c = ev->data;

    redisAsyncHandleWrite(c->data);
}


static void
ngx_http_mskanban_redis_add_read(void *privdata)
{
    ngx_connection_t  *c = privdata;

    if (!c->read->active
        && ngx_add_event(c->read, NGX_READ_EVENT, NGX_LEVEL_EVENT) != NGX_OK)
    {
        ngx_log_error(NGX_LOG_ALERT, c->log, 0,
                      "mskanban: cannot watch a redis socket for reading");
    }
}


static void
ngx_http_mskanban_redis_del_read(void *privdata)
{
    ngx_connection_t  *c = privdata;

    if (c->read->active
        && ngx_del_event(c->read, NGX_READ_EVENT, NGX_LEVEL_EVENT) != NGX_OK)
    {
        ngx_log_error(NGX_LOG_ALERT, c->log, 0,
                      "mskanban: cannot unwatch a redis socket for reading");
    }
}


static void
ngx_http_mskanban_redis_add_write(void *privdata)
{
    ngx_connection_t  *c = privdata;

    if (!c->write->active
        && ngx_add_event(c->write, NGX_WRITE_EVENT, NGX_LEVEL_EVENT) != NGX_OK)
    {
        ngx_log_error(NGX_LOG_ALERT, c->log, 0,
                      "mskanban: cannot watch a redis socket for writing");
    }
}


static void
ngx_http_mskanban_redis_del_write(void *privdata)
{
    ngx_connection_t  *c = privdata;

    if (c->write->active
        && ngx_del_event(c->write, NGX_WRITE_EVENT, NGX_LEVEL_EVENT)
           != NGX_OK)
    {
        ngx_log_error(NGX_LOG_ALERT, c->log, 0,
                      "mskanban: cannot unwatch a redis socket for writing");
    }
}


/*
 * Called by hiredis just before it closes the socket: forget the events
 * without a syscall (closing the descriptor removes it from epoll) and
 * give the connection back without closing the descriptor.
 */

static void
ngx_http_mskanban_redis_cleanup(void *privdata)
{
    ngx_connection_t  *c = privdata;

    if (c == NULL) {
        return;
    }

    if (ngx_del_conn) {
        (void) ngx_del_conn(c, NGX_CLOSE_EVENT);

    } else {
        if (c->read->active || c->read->disabled) {
            (void) ngx_del_event(c->read, NGX_READ_EVENT, NGX_CLOSE_EVENT);
        }

        if (c->write->active || c->write->disabled) {
            (void) ngx_del_event(c->write, NGX_WRITE_EVENT, NGX_CLOSE_EVENT);
        }
    }

    if (c->read->posted) {
        ngx_delete_posted_event(c->read);
    }

    if (c->write->posted) {
        ngx_delete_posted_event(c->write);
    }

    c->read->closed = 1;
    c->write->closed = 1;

    ngx_free_connection(c);

    c->fd = (ngx_socket_t) -1;
}
