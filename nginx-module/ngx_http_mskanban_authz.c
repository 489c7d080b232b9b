
/*
 * ngx_http_mskanban_authz: asking the core who may read a board, and the
 * question's own pool (ngx_http_mskanban_authz.h).
 *
 * The access phase handler of a location with mskanban_live takes the
 * board id from the URI (".../<id>/live") and asks
 * mskanban_live_authz_uri + id (an internal location passing to the
 * FastCGI core, which sees the client's Cookie). 2xx carries
 * X-MSKanban-User, -Session, -Workspace and -Board; 401 and 404 are the
 * client's answers. The decision is kept in the request context and the
 * content handler answers it, so that errors go out in the API's JSON
 * shape rather than as nginx pages.
 *
 * ngx_http_mskanban_authz_request(), used by this handler and by the
 * relay's ticket redemption, runs the subrequest from a fake request: a
 * copy of the client's request on a fake connection (fd -1), both in a
 * pool created for the question, so that the subrequest and its FastCGI
 * upstream are allocated there, as nchan's nchan_requestmachine_request()
 * (after lua-nginx-module) does. The fake connection carries the client's
 * addresses (REMOTE_ADDR) and the fake request a variables array of its
 * own, so the subrequest's cached $request_uri never reaches the client's
 * log. The fake request is "blocked" for its whole life, so nginx never
 * frees it (not even when the subrequest fails with an error and nginx
 * terminates its main request): it is freed here, from a posted event,
 * once the core has answered. The client's request is held (count) while
 * the question is open and its phases resume from that event.
 */


#include "ngx_http_mskanban_module.h"
#include "ngx_http_mskanban_authz.h"


#define NGX_HTTP_MSKANBAN_AUTHZ_POOL_SIZE  4096


typedef struct {
    ngx_http_request_t            *request;    /* the client's; NULL: gone */
    ngx_pool_cleanup_t            *request_cln;
    ngx_http_mskanban_authz_pt     handler;
    void                          *data;
    ngx_pool_t                    *pool;       /* the question's */
    ngx_connection_t              *fc;
    ngx_http_request_t            *fr;
    ngx_http_log_ctx_t            *lctx;
    ngx_event_t                    done_ev;
    unsigned                       answered:1;
} ngx_http_mskanban_authz_t;


static ngx_int_t ngx_http_mskanban_authz_fake(ngx_http_mskanban_authz_t *a,
    ngx_http_request_t *r);
static ngx_int_t ngx_http_mskanban_authz_subrequest(
    ngx_http_mskanban_authz_t *a, ngx_str_t *path, ngx_str_t *tail,
    ngx_str_t *args);
static ngx_int_t ngx_http_mskanban_authz_answered(ngx_http_request_t *sr,
    void *data, ngx_int_t rc);
static void ngx_http_mskanban_authz_done(ngx_event_t *ev);
static void ngx_http_mskanban_authz_free(ngx_http_mskanban_authz_t *a);
static void ngx_http_mskanban_authz_request_gone(void *data);
static u_char *ngx_http_mskanban_authz_log_error(ngx_log_t *log, u_char *buf,
    size_t len);

static void ngx_http_mskanban_live_answer(ngx_http_request_t *r, void *data,
    ngx_uint_t status, ngx_list_t *headers);
static ngx_int_t ngx_http_mskanban_board_from_uri(ngx_http_request_t *r,
    ngx_str_t *board);


ngx_int_t
ngx_http_mskanban_authz_handler(ngx_http_request_t *r)
{
    ngx_http_mskanban_ctx_t       *ctx;
    ngx_http_mskanban_loc_conf_t  *mlcf;

    mlcf = ngx_http_get_module_loc_conf(r, ngx_http_mskanban_module);

    if (!mlcf->live || r != r->main) {
        return NGX_DECLINED;
    }

    ctx = ngx_http_get_module_ctx(r, ngx_http_mskanban_module);

    if (ctx != NULL) {
        return ctx->done ? NGX_OK : NGX_AGAIN;
    }

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_mskanban_ctx_t));
    if (ctx == NULL) {
        return NGX_ERROR;
    }

    ctx->request = r;

    ngx_http_set_ctx(r, ctx, ngx_http_mskanban_module);

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        ctx->status = NGX_HTTP_NOT_ALLOWED;
        ctx->done = 1;
        return NGX_OK;
    }

    if (ngx_http_mskanban_board_from_uri(r, &ctx->board) != NGX_OK) {
        ctx->status = NGX_HTTP_NOT_FOUND;
        ctx->done = 1;
        return NGX_OK;
    }

    if (ngx_http_mskanban_authz_request(r, &mlcf->authz_uri, &ctx->board,
                                        NULL, ngx_http_mskanban_live_answer,
                                        ctx)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* even when answered already: the answer's event resumes the phases */

    return NGX_AGAIN;
}


static void
ngx_http_mskanban_live_answer(ngx_http_request_t *r, void *data,
    ngx_uint_t status, ngx_list_t *headers)
{
    ngx_http_mskanban_ctx_t *ctx = data;

    ngx_http_mskanban_authz_id_t  id;

    ctx->done = 1;
    ctx->status = status;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "mskanban authz done s:%ui", status);

    if (status < NGX_HTTP_OK || status >= NGX_HTTP_SPECIAL_RESPONSE) {
        if (status == 0) {
            ctx->status = NGX_HTTP_BAD_GATEWAY;
        }

        return;
    }

    ctx->status = ngx_http_mskanban_authz_identity(r, headers, &id);

    if (ctx->status != NGX_OK) {
        return;
    }

    /* the core's board is the one in the URI, or the answer is not ours */

    if (id.board.len != ctx->board.len
        || ngx_strncmp(id.board.data, ctx->board.data, id.board.len) != 0)
    {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "mskanban: authorization answered for board \"%V\", "
                      "not \"%V\"", &id.board, &ctx->board);
        ctx->status = NGX_HTTP_BAD_GATEWAY;
        return;
    }

    ctx->id.user = id.user;
    ctx->id.session = id.session;
    ctx->id.workspace = id.workspace;
    ctx->status = status;
}


/* the path segment before a final "/live"; it must be a valid id */

static ngx_int_t
ngx_http_mskanban_board_from_uri(ngx_http_request_t *r, ngx_str_t *board)
{
    u_char  *start, *end;

    if (r->uri.len < sizeof("/x/live") - 1) {
        return NGX_DECLINED;
    }

    end = r->uri.data + r->uri.len - (sizeof("/live") - 1);

    if (ngx_strncmp(end, "/live", sizeof("/live") - 1) != 0) {
        return NGX_DECLINED;
    }

    for (start = end; start > r->uri.data && start[-1] != '/'; start--) {
        /* void */
    }

    board->data = start;
    board->len = end - start;

    return ngx_http_mskanban_valid_id(board->data, board->len);
}


/*
 * X-MSKanban-User, -Session, -Workspace and -Board, copied into the
 * client's pool; -Role is left pointing into the headers. An answer
 * without one of the four is the core's fault (a reader without them
 * could not be revoked by workspace or board): NGX_HTTP_BAD_GATEWAY.
 */

ngx_int_t
ngx_http_mskanban_authz_identity(ngx_http_request_t *r, ngx_list_t *headers,
    ngx_http_mskanban_authz_id_t *id)
{
    ngx_str_t  *user, *session, *workspace, *board, *role;

    ngx_memzero(id, sizeof(ngx_http_mskanban_authz_id_t));

    user = ngx_http_mskanban_find_header(headers, "X-MSKanban-User");
    session = ngx_http_mskanban_find_header(headers, "X-MSKanban-Session");
    workspace = ngx_http_mskanban_find_header(headers,
                                              "X-MSKanban-Workspace");
    board = ngx_http_mskanban_find_header(headers, "X-MSKanban-Board");
    role = ngx_http_mskanban_find_header(headers, "X-MSKanban-Role");

    if (user == NULL || user->len == 0
        || session == NULL || session->len == 0
        || workspace == NULL || workspace->len == 0
        || board == NULL || board->len == 0)
    {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "mskanban: the core answered without X-MSKanban-User, "
                      "-Session, -Workspace and -Board");
        return NGX_HTTP_BAD_GATEWAY;
    }

    if (ngx_http_mskanban_authz_copy(r->pool, &id->user, user) != NGX_OK
        || ngx_http_mskanban_authz_copy(r->pool, &id->session, session)
           != NGX_OK
        || ngx_http_mskanban_authz_copy(r->pool, &id->workspace, workspace)
           != NGX_OK
        || ngx_http_mskanban_authz_copy(r->pool, &id->board, board)
           != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (role) {
        id->role = *role;
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_mskanban_authz_copy(ngx_pool_t *pool, ngx_str_t *dst, ngx_str_t *src)
{
    if (src == NULL || src->len == 0) {
        ngx_str_null(dst);
        return NGX_OK;
    }

    dst->data = ngx_pnalloc(pool, src->len);
    if (dst->data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(dst->data, src->data, src->len);
    dst->len = src->len;

    return NGX_OK;
}


/*
 * Asks path + tail ("?" args when args is not NULL) for r; the handler is
 * called once with the answer, unless r ends first. The strings are
 * copied: they may live anywhere.
 */

ngx_int_t
ngx_http_mskanban_authz_request(ngx_http_request_t *r, ngx_str_t *path,
    ngx_str_t *tail, ngx_str_t *args, ngx_http_mskanban_authz_pt handler,
    void *data)
{
    ngx_http_mskanban_authz_t  *a;
    ngx_pool_cleanup_t         *cln;

    a = ngx_calloc(sizeof(ngx_http_mskanban_authz_t), r->connection->log);
    if (a == NULL) {
        return NGX_ERROR;
    }

    a->request = r;
    a->handler = handler;
    a->data = data;

    a->done_ev.handler = ngx_http_mskanban_authz_done;
    a->done_ev.data = a;
    a->done_ev.log = ngx_cycle->log;

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        ngx_free(a);
        return NGX_ERROR;
    }

    a->pool = ngx_create_pool(NGX_HTTP_MSKANBAN_AUTHZ_POOL_SIZE,
                              r->connection->log);
    if (a->pool == NULL) {
        ngx_free(a);
        return NGX_ERROR;
    }

    if (ngx_http_mskanban_authz_fake(a, r) != NGX_OK
        || ngx_http_mskanban_authz_subrequest(a, path, tail, args) != NGX_OK)
    {
        ngx_http_mskanban_authz_free(a);
        return NGX_ERROR;
    }

    cln->handler = ngx_http_mskanban_authz_request_gone;
    cln->data = a;
    a->request_cln = cln;

    /* held until the answer; ngx_http_mskanban_authz_done() lets go */

    r->main->count++;

    ngx_http_run_posted_requests(a->fc);

    return NGX_OK;
}


/*
 * The fake connection and request, after nchan's nchan_fake_request.c:
 * ngx_get_connection() wants a valid descriptor, so 0 stands in while it
 * runs; the connection's events are marked active so that the upstream
 * never adds the fake descriptor to the event loop.
 */

static ngx_int_t
ngx_http_mskanban_authz_fake(ngx_http_mskanban_authz_t *a,
    ngx_http_request_t *r)
{
    ngx_log_t                  *log;
    ngx_connection_t           *c, *fc, *saved;
    ngx_http_request_t         *fr;
    ngx_http_log_ctx_t         *lctx;
    ngx_http_core_main_conf_t  *cmcf;

    c = r->connection;

    log = ngx_palloc(a->pool, sizeof(ngx_log_t));
    lctx = ngx_pcalloc(a->pool, sizeof(ngx_http_log_ctx_t));
    fr = ngx_palloc(a->pool, sizeof(ngx_http_request_t));

    if (log == NULL || lctx == NULL || fr == NULL) {
        return NGX_ERROR;
    }

    /* the client's error log and level; its context while it lives */

    *log = *c->log;
    log->handler = ngx_http_mskanban_authz_log_error;
    log->data = lctx;
    log->action = "asking the core";

    saved = ngx_cycle->files ? ngx_cycle->files[0] : NULL;

    fc = ngx_get_connection(0, log);

    if (ngx_cycle->files) {
        ngx_cycle->files[0] = saved;
    }

    if (fc == NULL) {
        return NGX_ERROR;
    }

    a->fc = fc;

    fc->fd = (ngx_socket_t) -1;
    fc->number = c->number;
    fc->pool = a->pool;
    fc->log = log;
    fc->log_error = NGX_ERROR_INFO;
    fc->read->log = log;
    fc->write->log = log;
    fc->read->active = 1;
    fc->write->active = 1;

    fc->recv = ngx_recv;
    fc->send = ngx_send;
    fc->recv_chain = ngx_recv_chain;
    fc->send_chain = ngx_send_chain;

    /* REMOTE_ADDR, SERVER_ADDR and the ports, as the client's */

    fc->listening = c->listening;
    fc->sockaddr = c->sockaddr;
    fc->socklen = c->socklen;
    fc->local_sockaddr = c->local_sockaddr;
    fc->local_socklen = c->local_socklen;
    fc->addr_text = c->addr_text;

    *fr = *r;

    fr->connection = fc;
    fr->pool = a->pool;
    fr->main = fr;
    fr->parent = NULL;
    fr->cleanup = NULL;
    fr->posted_requests = NULL;
    fr->postponed = NULL;
    fr->out = NULL;
    fr->request_body = NULL;
    fr->post_subrequest = NULL;
    fr->read_event_handler = ngx_http_request_empty_handler;
    fr->write_event_handler = ngx_http_request_empty_handler;
    fr->count = 1;
    fr->blocked = 1;    /* nginx never frees it: see the top */
    fr->subrequest_in_memory = 0;
    fr->header_sent = 0;
    fr->buffered = 0;
#if (NGX_HTTP_V2)
    fr->stream = NULL;
#endif

    fr->ctx = ngx_pcalloc(a->pool, sizeof(void *) * ngx_http_max_module);

    cmcf = ngx_http_get_module_main_conf(r, ngx_http_core_module);

    fr->variables = ngx_pcalloc(a->pool, cmcf->variables.nelts
                                         * sizeof(ngx_http_variable_value_t));

    if (fr->ctx == NULL || fr->variables == NULL) {
        return NGX_ERROR;
    }

    fc->data = fr;
    fc->requests = 1;

    /* request: the client's, for the log lines (NULL once it is gone) */

    lctx->connection = c;
    lctx->request = r;
    lctx->current_request = fr;
    a->lctx = lctx;

    a->fr = fr;

    return NGX_OK;
}


static ngx_int_t
ngx_http_mskanban_authz_subrequest(ngx_http_mskanban_authz_t *a,
    ngx_str_t *path, ngx_str_t *tail, ngx_str_t *args)
{
    u_char                      *p;
    size_t                       len;
    ngx_str_t                    uri, query;
    ngx_http_request_t          *sr;
    ngx_http_post_subrequest_t  *ps;

    len = path->len + (tail ? tail->len : 0);

    uri.data = ngx_pnalloc(a->pool, len + 1 + (args ? args->len : 0));
    if (uri.data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(uri.data, path->data, path->len);

    if (tail) {
        p = ngx_cpymem(p, tail->data, tail->len);
    }

    uri.len = p - uri.data;
    ngx_str_null(&query);

    if (args) {
        *p++ = '?';
        query.data = p;
        query.len = args->len;
        p = ngx_cpymem(p, args->data, args->len);
    }

    ps = ngx_palloc(a->pool, sizeof(ngx_http_post_subrequest_t));
    if (ps == NULL) {
        return NGX_ERROR;
    }

    ps->handler = ngx_http_mskanban_authz_answered;
    ps->data = a;

    sr = NULL;

    if (ngx_http_subrequest(a->fr, &uri, args ? &query : NULL, &sr, ps,
                            NGX_HTTP_SUBREQUEST_WAITED)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    /*
     * a fake request body: the subrequest must not read the client's;
     * only the answer's status and headers count
     */

    sr->request_body = ngx_pcalloc(a->pool, sizeof(ngx_http_request_body_t));
    if (sr->request_body == NULL) {
        return NGX_ERROR;
    }

    sr->header_only = 1;

    /* the core routes on $request_uri, which a subrequest inherits */

    sr->unparsed_uri.data = uri.data;
    sr->unparsed_uri.len = p - uri.data;

    return NGX_OK;
}


/* the subrequest's end (possibly twice, after an error page) */

static ngx_int_t
ngx_http_mskanban_authz_answered(ngx_http_request_t *sr, void *data,
    ngx_int_t rc)
{
    ngx_http_mskanban_authz_t *a = data;

    ngx_uint_t  status;

    if (a->answered) {
        return rc;
    }

    a->answered = 1;

    status = sr->headers_out.status;

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, sr->connection->log, 0,
                   "mskanban authz answered s:%ui rc:%i", status, rc);

    if (a->request) {
        a->handler(a->request, a->data, status,
                   status ? &sr->headers_out.headers : NULL);
    }

    ngx_post_event(&a->done_ev, &ngx_posted_events);

    return rc;
}


/* from a posted event: free the question, resume the client's request */

static void
ngx_http_mskanban_authz_done(ngx_event_t *ev)
{
    ngx_http_mskanban_authz_t *a = ev->data;

    ngx_connection_t    *c;
    ngx_http_request_t  *r;

    r = a->request;

    if (a->request_cln) {
        a->request_cln->handler = NULL;
    }

    ngx_http_mskanban_authz_free(a);

    if (r == NULL) {
        return;
    }

    c = r->connection;

    r->main->count--;

    ngx_http_set_log_request(c->log, r);

    r->write_event_handler(r);

    ngx_http_run_posted_requests(c);
}


static void
ngx_http_mskanban_authz_free(ngx_http_mskanban_authz_t *a)
{
    ngx_connection_t    *fc, *saved;
    ngx_http_cleanup_t  *cln;

    if (a->done_ev.posted) {
        ngx_delete_posted_event(&a->done_ev);
    }

    /* an upstream not yet finished (not after an answer) */

    if (a->fr) {
        cln = a->fr->cleanup;
        a->fr->cleanup = NULL;

        for ( /* void */ ; cln; cln = cln->next) {
            if (cln->handler) {
                cln->handler(cln->data);
            }
        }
    }

    fc = a->fc;

    if (fc) {
        if (fc->read->timer_set) {
            ngx_del_timer(fc->read);
        }

        if (fc->write->timer_set) {
            ngx_del_timer(fc->write);
        }

        if (fc->read->posted) {
            ngx_delete_posted_event(fc->read);
        }

        if (fc->write->posted) {
            ngx_delete_posted_event(fc->write);
        }

        fc->destroyed = 1;

        /* 0 stands in for the descriptor again, as in _fake() */

        saved = ngx_cycle->files ? ngx_cycle->files[0] : NULL;

        fc->fd = 0;
        ngx_free_connection(fc);
        fc->fd = (ngx_socket_t) -1;

        if (ngx_cycle->files) {
            ngx_cycle->files[0] = saved;
        }
    }

    if (a->pool) {
        ngx_destroy_pool(a->pool);
    }

    ngx_free(a);
}


/* the client's request ended first: the answer goes nowhere */

static void
ngx_http_mskanban_authz_request_gone(void *data)
{
    ngx_http_mskanban_authz_t *a = data;

    a->request = NULL;
    a->request_cln = NULL;

    if (a->lctx) {
        a->lctx->request = NULL;
    }
}


/*
 * The question's log lines (an upstream failure) name the client and its
 * request line, as nginx's own handler would for the client's request;
 * the relay has replaced the ticket in that line already.
 */

static u_char *
ngx_http_mskanban_authz_log_error(ngx_log_t *log, u_char *buf, size_t len)
{
    u_char              *p;
    ngx_http_request_t  *r;
    ngx_http_log_ctx_t  *ctx;

    p = buf;

    if (log->action) {
        p = ngx_snprintf(buf, len, " while %s", log->action);
        len -= p - buf;
        buf = p;
    }

    ctx = log->data;
    r = ctx->request;

    if (r == NULL) {
        return p;
    }

    return ngx_snprintf(buf, len, ", client: %V, request: \"%V\"",
                        &r->connection->addr_text, &r->request_line);
}
