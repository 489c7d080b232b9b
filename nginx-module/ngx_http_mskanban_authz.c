
/*
 * ngx_http_mskanban_authz: asking the core who may read a board.
 *
 * An access phase handler, like auth_request: for a location with
 * mskanban_live it takes the board id from the URI (".../<id>/live"),
 * sends a subrequest to mskanban_live_authz_uri + id (an internal
 * location passing to the FastCGI core, which sees the client's Cookie)
 * and waits for its status. 2xx carries X-MSKanban-User, -Session and
 * -Workspace; 401 and 404 are the client's answers. The decision is kept
 * in the request context and the content handler answers it, so that
 * errors go out in the API's JSON shape rather than as nginx pages.
 */


#include "ngx_http_mskanban_module.h"


static ngx_int_t ngx_http_mskanban_authz_done(ngx_http_request_t *r,
    void *data, ngx_int_t rc);
static ngx_int_t ngx_http_mskanban_board_from_uri(ngx_http_request_t *r,
    ngx_str_t *board);
static void ngx_http_mskanban_forget_request_uri(ngx_http_request_t *r);
static ngx_int_t ngx_http_mskanban_copy(ngx_pool_t *pool, ngx_str_t *dst,
    ngx_str_t *src);


ngx_int_t
ngx_http_mskanban_authz_handler(ngx_http_request_t *r)
{
    u_char                        *p;
    ngx_str_t                      uri;
    ngx_http_request_t            *sr;
    ngx_http_mskanban_ctx_t       *ctx;
    ngx_http_post_subrequest_t    *ps;
    ngx_http_mskanban_loc_conf_t  *mlcf;

    mlcf = ngx_http_get_module_loc_conf(r, ngx_http_mskanban_module);

    if (!mlcf->live || r != r->main) {
        return NGX_DECLINED;
    }

    ctx = ngx_http_get_module_ctx(r, ngx_http_mskanban_module);

    if (ctx != NULL) {
        if (!ctx->done) {
            return NGX_AGAIN;
        }

        ngx_http_mskanban_forget_request_uri(r);
        return NGX_OK;
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

    uri.len = mlcf->authz_uri.len + ctx->board.len;
    uri.data = ngx_pnalloc(r->pool, uri.len);
    if (uri.data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(uri.data, mlcf->authz_uri.data, mlcf->authz_uri.len);
    ngx_memcpy(p, ctx->board.data, ctx->board.len);

    ps = ngx_palloc(r->pool, sizeof(ngx_http_post_subrequest_t));
    if (ps == NULL) {
        return NGX_ERROR;
    }

    ps->handler = ngx_http_mskanban_authz_done;
    ps->data = ctx;

    if (ngx_http_subrequest(r, &uri, NULL, &sr, ps,
                            NGX_HTTP_SUBREQUEST_WAITED)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    /*
     * a fake request body: the subrequest must not read the client's,
     * and the core's answer is needed only for its status and headers
     */

    sr->request_body = ngx_pcalloc(r->pool, sizeof(ngx_http_request_body_t));
    if (sr->request_body == NULL) {
        return NGX_ERROR;
    }

    sr->header_only = 1;

    /*
     * a subrequest inherits the client's request line, so $request_uri
     * (fastcgi_params' REQUEST_URI, which the core routes on) would name
     * the live stream rather than the authorization path
     */

    sr->unparsed_uri = uri;
    ngx_http_mskanban_forget_request_uri(r);

    ctx->subrequest = sr;

    return NGX_AGAIN;
}


static ngx_int_t
ngx_http_mskanban_authz_done(ngx_http_request_t *r, void *data, ngx_int_t rc)
{
    ngx_http_mskanban_ctx_t *ctx = data;

    ngx_str_t   *user, *session, *workspace;
    ngx_list_t  *headers;

    ctx->done = 1;
    ctx->status = r->headers_out.status;

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "mskanban authz done s:%ui rc:%i", ctx->status, rc);

    if (ctx->status < NGX_HTTP_OK
        || ctx->status >= NGX_HTTP_SPECIAL_RESPONSE)
    {
        if (ctx->status == 0) {
            ctx->status = NGX_HTTP_BAD_GATEWAY;
        }

        return rc;
    }

    headers = &r->headers_out.headers;

    user = ngx_http_mskanban_find_header(headers, "X-MSKanban-User");
    session = ngx_http_mskanban_find_header(headers, "X-MSKanban-Session");
    workspace = ngx_http_mskanban_find_header(headers,
                                              "X-MSKanban-Workspace");

    if (user == NULL || session == NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "mskanban: authorization at \"%V\" answered %ui "
                      "without X-MSKanban-User and X-MSKanban-Session",
                      &r->uri, ctx->status);
        ctx->status = NGX_HTTP_BAD_GATEWAY;
        return rc;
    }

    /*
     * the values point into the upstream's buffer (fastcgi_buffer_size),
     * which would stay in the request pool as long as the stream: keep
     * copies and give the buffer back
     */

    if (ngx_http_mskanban_copy(r->pool, &ctx->id.user, user) != NGX_OK
        || ngx_http_mskanban_copy(r->pool, &ctx->id.session, session)
           != NGX_OK
        || ngx_http_mskanban_copy(r->pool, &ctx->id.workspace, workspace)
           != NGX_OK)
    {
        ctx->status = NGX_HTTP_INTERNAL_SERVER_ERROR;
        return rc;
    }

    if (r->upstream && r->upstream->buffer.start
        && ngx_pfree(r->pool, r->upstream->buffer.start) == NGX_OK)
    {
        ngx_memzero(&r->upstream->buffer, sizeof(ngx_buf_t));
    }

    return rc;
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
 * A subrequest shares its parent's variable values: drop a cached
 * $request_uri, so that each of them computes its own.
 */

static void
ngx_http_mskanban_forget_request_uri(ngx_http_request_t *r)
{
    ngx_http_variable_value_t      *vv;
    ngx_http_mskanban_main_conf_t  *mcf;

    mcf = ngx_http_get_module_main_conf(r, ngx_http_mskanban_module);

    vv = &r->variables[mcf->request_uri_index];
    vv->valid = 0;
    vv->not_found = 0;
}


static ngx_int_t
ngx_http_mskanban_copy(ngx_pool_t *pool, ngx_str_t *dst, ngx_str_t *src)
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
