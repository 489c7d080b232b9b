
/*
 * ngx_http_mskanban_authz: asking the core, in a pool of the question's own.
 *
 * The live stream (who may read a board) and the relay (whose ticket this
 * is) both ask the core through an internal location before they start.
 * An ordinary subrequest would allocate itself and its FastCGI upstream
 * (6.6-7.5 KiB) from the client's request pool, which lives as long as the
 * stream: ngx_http_mskanban_authz_request() instead runs the subrequest
 * from a fake request on a fake connection with a pool of their own (as
 * nchan and lua-nginx-module do), calls the handler once with the core's
 * status and headers, destroys that pool, and resumes the client's
 * request phases. The handler copies what the stream keeps (the identity)
 * into the client's pool.
 */


#ifndef _NGX_HTTP_MSKANBAN_AUTHZ_H_INCLUDED_
#define _NGX_HTTP_MSKANBAN_AUTHZ_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>


/*
 * Called once, while r is alive, with the core's status (0 when there
 * was no answer) and response headers (NULL then); the headers are valid
 * during the call only. The request's phases resume afterwards.
 */
typedef void (*ngx_http_mskanban_authz_pt)(ngx_http_request_t *r,
    void *data, ngx_uint_t status, ngx_list_t *headers);


/* what every internal answer carries, copied into the client's pool */
typedef struct {
    ngx_str_t   user;
    ngx_str_t   session;
    ngx_str_t   workspace;
    ngx_str_t   board;
    ngx_str_t   role;       /* points into the headers */
} ngx_http_mskanban_authz_id_t;


ngx_int_t ngx_http_mskanban_authz_request(ngx_http_request_t *r,
    ngx_str_t *path, ngx_str_t *tail, ngx_str_t *args,
    ngx_http_mskanban_authz_pt handler, void *data);
ngx_int_t ngx_http_mskanban_authz_identity(ngx_http_request_t *r,
    ngx_list_t *headers, ngx_http_mskanban_authz_id_t *id);
ngx_int_t ngx_http_mskanban_authz_copy(ngx_pool_t *pool, ngx_str_t *dst,
    ngx_str_t *src);


#endif /* _NGX_HTTP_MSKANBAN_AUTHZ_H_INCLUDED_ */
