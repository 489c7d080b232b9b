
/*
 * ngx_http_mskanban_ws_status: the relay's counters, in a shared memory
 * zone (mskanban_ws_stats) so that mskanban_ws_status answers the sum over
 * every worker, and that answer.
 */


#include "ngx_http_mskanban_ws.h"


/* counters land here until the shared zone exists */
static ngx_http_mskanban_ws_stats_t   ngx_http_mskanban_ws_no_stats;
ngx_http_mskanban_ws_stats_t         *ngx_http_mskanban_ws_stats =
                                          &ngx_http_mskanban_ws_no_stats;



ngx_int_t
ngx_http_mskanban_ws_init_zone(ngx_shm_zone_t *shm_zone, void *data)
{
    ngx_slab_pool_t               *shpool;
    ngx_http_mskanban_ws_stats_t  *stats;

    if (data) {
        /* a reload: the counters go on */
        shm_zone->data = data;
        ngx_http_mskanban_ws_stats = data;
        return NGX_OK;
    }

    shpool = (ngx_slab_pool_t *) shm_zone->shm.addr;

    if (shm_zone->shm.exists) {
        shm_zone->data = shpool->data;
        ngx_http_mskanban_ws_stats = shpool->data;
        return NGX_OK;
    }

    stats = ngx_slab_calloc(shpool, sizeof(ngx_http_mskanban_ws_stats_t));
    if (stats == NULL) {
        return NGX_ERROR;
    }

    shpool->data = stats;
    shm_zone->data = stats;
    ngx_http_mskanban_ws_stats = stats;

    return NGX_OK;
}


/* the counters of every worker, as JSON */

ngx_int_t
ngx_http_mskanban_ws_status_handler(ngx_http_request_t *r)
{
    size_t                         len;
    ngx_buf_t                     *b;
    ngx_http_mskanban_ws_stats_t  *st;

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    if (ngx_http_discard_request_body(r) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    st = ngx_http_mskanban_ws_stats;

    len = sizeof("{\"connections\":,\"roomSubscriptions\":,\"accepted\":,"
                 "\"refused\":,\"messagesIn\":,\"bytesIn\":,"
                 "\"messagesOut\":,\"bytesOut\":,\"closed\":{\"slow\":,"
                 "\"idle\":,\"revoked\":,\"protocol\":,\"redis\":,"
                 "\"expired\":,\"budget\":},\"publishFailed\":,"
                 "\"readonlyDropped\":}\n") - 1
          + 17 * NGX_ATOMIC_T_LEN;

    b = ngx_create_temp_buf(r->pool, len);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->last = ngx_sprintf(b->last,
                          "{\"connections\":%uA,\"roomSubscriptions\":%uA,"
                          "\"accepted\":%uA,\"refused\":%uA,"
                          "\"messagesIn\":%uA,\"bytesIn\":%uA,"
                          "\"messagesOut\":%uA,\"bytesOut\":%uA,",
                          st->connections, st->rooms, st->accepted,
                          st->refused, st->messages_in, st->bytes_in,
                          st->messages_out, st->bytes_out);

    b->last = ngx_sprintf(b->last,
                          "\"closed\":{\"slow\":%uA,\"idle\":%uA,"
                          "\"revoked\":%uA,\"protocol\":%uA,\"redis\":%uA,"
                          "\"expired\":%uA,\"budget\":%uA},"
                          "\"publishFailed\":%uA,"
                          "\"readonlyDropped\":%uA}\n",
                          st->slow_closed, st->idle_closed,
                          st->revoked_closed, st->protocol_closed,
                          st->redis_closed, st->expired_closed,
                          st->budget_closed,
                          st->publish_failed, st->readonly_dropped);

    b->last_buf = 1;
    b->last_in_chain = 1;

    return ngx_http_mskanban_send_json(r, NGX_HTTP_OK, b);
}
