
/*
 * ngx_http_mskanban_ws: directives and the WebSocket transport.
 *
 * An access phase handler checks the handshake and redeems the ticket
 * ("t" in the query) with a subrequest to mskanban_ws_redeem_uri, like
 * auth_request: the core answers 204 with who the user is and which room
 * the ticket opens, or 401/404. The content handler then answers the
 * refusal as JSON or sends the 101 and takes the connection over: nginx's
 * HTTP machinery keeps the request (r->main->count) and we read and write
 * the socket ourselves. Reading starts once the room's Redis subscription
 * is confirmed, so that no answer to the client's first message is lost.
 *
 * Writing: frames are shared, refcounted buffers queued per connection and
 * written together with send_chain() from a posted write event; bytes
 * queued but not yet taken by the client are capped by
 * mskanban_ws_send_buffer (a slow consumer is closed with 1013 instead of
 * growing memory) and their age by send_timeout. Closing
 * queues a close frame, waits for the client's (mskanban_ws_close_timeout
 * at most) and ends the request from a posted event, never from inside a
 * Redis callback. Idle connections get pings every mskanban_ws_ping_interval
 * and are closed after mskanban_ws_idle_timeout without a frame.
 */


#include "ngx_http_mskanban_ws.h"


#define NGX_HTTP_MSKANBAN_WS_READ_BUDGET  (256 * 1024)


static char *ngx_http_mskanban_ws(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_mskanban_ws_status(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_mskanban_ws_origin(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static ngx_int_t ngx_http_mskanban_ws_postconfiguration(ngx_conf_t *cf);
static ngx_int_t ngx_http_mskanban_ws_init_zone(ngx_shm_zone_t *shm_zone,
    void *data);
static void *ngx_http_mskanban_ws_create_main_conf(ngx_conf_t *cf);
static char *ngx_http_mskanban_ws_init_main_conf(ngx_conf_t *cf, void *conf);
static void *ngx_http_mskanban_ws_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_mskanban_ws_merge_loc_conf(ngx_conf_t *cf,
    void *parent, void *child);
static ngx_int_t ngx_http_mskanban_ws_init_process(ngx_cycle_t *cycle);
static void ngx_http_mskanban_ws_exit_process(ngx_cycle_t *cycle);

static ngx_int_t ngx_http_mskanban_ws_scrub_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_mskanban_ws_redact(ngx_pool_t *pool, ngx_str_t *s,
    ngx_uint_t in_query);
static size_t ngx_http_mskanban_ws_redact_run(u_char *p, u_char *end,
    ngx_uint_t in_query, u_char *out);
static ngx_int_t ngx_http_mskanban_ws_access_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_mskanban_ws_target(ngx_http_request_t *r,
    ngx_http_mskanban_ws_t *ws);
static void ngx_http_mskanban_ws_redeemed(ngx_http_request_t *r,
    void *data, ngx_uint_t status, ngx_list_t *headers);
static ngx_int_t ngx_http_mskanban_ws_session_end(ngx_http_mskanban_ws_t *ws,
    ngx_str_t *value);
static ngx_uint_t ngx_http_mskanban_ws_follows_only(u_char *p, size_t len,
    ngx_uint_t opcode);
static ngx_int_t ngx_http_mskanban_ws_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_mskanban_ws_refuse(ngx_http_request_t *r,
    ngx_uint_t status);
static ngx_int_t ngx_http_mskanban_ws_status_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_mskanban_ws_valid_room(u_char *p, size_t len);

static void ngx_http_mskanban_ws_read_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_mskanban_ws_process(ngx_http_mskanban_ws_t *ws,
    u_char *p, u_char *last);
static ngx_int_t ngx_http_mskanban_ws_append(ngx_http_mskanban_ws_t *ws,
    ngx_http_mskanban_ws_event_t *ev);
static void ngx_http_mskanban_ws_msg_free(ngx_http_mskanban_ws_t *ws);
static void ngx_http_mskanban_ws_control(ngx_http_mskanban_ws_t *ws,
    ngx_http_mskanban_ws_event_t *ev);
static void ngx_http_mskanban_ws_fail(ngx_http_mskanban_ws_t *ws,
    ngx_uint_t code);
static ngx_uint_t ngx_http_mskanban_ws_fits(ngx_http_mskanban_ws_t *ws,
    size_t len);
static void ngx_http_mskanban_ws_slow(ngx_http_mskanban_ws_t *ws);
static ngx_int_t ngx_http_mskanban_ws_queue(ngx_http_mskanban_ws_t *ws,
    ngx_http_mskanban_ws_msg_t *msg);
static void ngx_http_mskanban_ws_post_flush(ngx_http_mskanban_ws_t *ws);
static void ngx_http_mskanban_ws_flush(ngx_http_mskanban_ws_t *ws);
static void ngx_http_mskanban_ws_write_handler(ngx_http_request_t *r);
static void ngx_http_mskanban_ws_abort(ngx_http_mskanban_ws_t *ws);
static void ngx_http_mskanban_ws_finish_handler(ngx_event_t *ev);
static void ngx_http_mskanban_ws_cleanup(void *data);


static ngx_conf_num_bounds_t  ngx_http_mskanban_ws_positive = {
    ngx_conf_check_num_bounds, 1, 10000000
};


static ngx_command_t  ngx_http_mskanban_ws_commands[] = {

    { ngx_string("mskanban_ws"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_mskanban_ws,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("mskanban_ws_redeem_uri"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_mskanban_ws_loc_conf_t, redeem_uri),
      NULL },

    { ngx_string("mskanban_ws_origin"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_mskanban_ws_origin,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("mskanban_ws_max_message"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_mskanban_ws_loc_conf_t, max_message),
      NULL },

    { ngx_string("mskanban_ws_send_buffer"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_mskanban_ws_loc_conf_t, send_buffer),
      NULL },

    { ngx_string("mskanban_ws_ping_interval"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_mskanban_ws_loc_conf_t, ping_interval),
      NULL },

    { ngx_string("mskanban_ws_idle_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_mskanban_ws_loc_conf_t, idle_timeout),
      NULL },

    { ngx_string("mskanban_ws_close_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_mskanban_ws_loc_conf_t, close_timeout),
      NULL },

    { ngx_string("mskanban_ws_message_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_mskanban_ws_loc_conf_t, message_timeout),
      NULL },

    { ngx_string("mskanban_ws_reassembly_budget"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_mskanban_ws_main_conf_t, reassembly_budget),
      NULL },

    { ngx_string("mskanban_ws_max_duration"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_mskanban_ws_loc_conf_t, max_duration),
      NULL },

    { ngx_string("mskanban_ws_max_connections"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_mskanban_ws_main_conf_t, max_connections),
      &ngx_http_mskanban_ws_positive },

    { ngx_string("mskanban_ws_publish_buffer"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_mskanban_ws_main_conf_t, publish_buffer),
      NULL },

    { ngx_string("mskanban_ws_status"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_mskanban_ws_status,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_mskanban_ws_module_ctx = {
    NULL,                                  /* preconfiguration */
    ngx_http_mskanban_ws_postconfiguration, /* postconfiguration */

    ngx_http_mskanban_ws_create_main_conf, /* create main configuration */
    ngx_http_mskanban_ws_init_main_conf,   /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_http_mskanban_ws_create_loc_conf,  /* create location configuration */
    ngx_http_mskanban_ws_merge_loc_conf    /* merge location configuration */
};


ngx_module_t  ngx_http_mskanban_ws_module = {
    NGX_MODULE_V1,
    &ngx_http_mskanban_ws_module_ctx,      /* module context */
    ngx_http_mskanban_ws_commands,         /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    ngx_http_mskanban_ws_init_process,     /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    ngx_http_mskanban_ws_exit_process,     /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


/* counters land here until the shared zone exists */
static ngx_http_mskanban_ws_stats_t   ngx_http_mskanban_ws_no_stats;
ngx_http_mskanban_ws_stats_t         *ngx_http_mskanban_ws_stats =
                                          &ngx_http_mskanban_ws_no_stats;

/* one read buffer per worker: parsing copies out what it keeps */
static u_char  ngx_http_mskanban_ws_rbuf[16384];

/* bytes of messages being reassembled, by every connection of the worker */
static size_t  ngx_http_mskanban_ws_reassembly;

static u_char  ngx_http_mskanban_ws_ping_frame[] = { 0x89, 0x00 };

/* never freed: it starts with a reference nobody releases */
static ngx_http_mskanban_ws_msg_t  ngx_http_mskanban_ws_ping = {
    1, sizeof(ngx_http_mskanban_ws_ping_frame), ngx_http_mskanban_ws_ping_frame
};


static ngx_str_t  ngx_http_mskanban_ws_zone_name =
    ngx_string("mskanban_ws_stats");


static char *
ngx_http_mskanban_ws(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_mskanban_ws_loc_conf_t *wlcf = conf;

    ngx_http_core_loc_conf_t          *clcf;
    ngx_http_mskanban_ws_main_conf_t  *wmcf;

    if (wlcf->enable != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    wlcf->enable = 1;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_mskanban_ws_handler;

    wmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_mskanban_ws_module);
    wmcf->used = 1;

    return NGX_CONF_OK;
}


static char *
ngx_http_mskanban_ws_status(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_mskanban_ws_loc_conf_t *wlcf = conf;

    ngx_http_core_loc_conf_t          *clcf;
    ngx_http_mskanban_ws_main_conf_t  *wmcf;

    if (wlcf->status != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    wlcf->status = 1;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_mskanban_ws_status_handler;

    wmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_mskanban_ws_module);
    wmcf->used = 1;

    return NGX_CONF_OK;
}


static char *
ngx_http_mskanban_ws_origin(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_mskanban_ws_loc_conf_t *wlcf = conf;

    ngx_str_t   *value, *origin;
    ngx_uint_t   i;

    if (wlcf->origins != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    wlcf->origins = ngx_array_create(cf->pool, cf->args->nelts - 1,
                                     sizeof(ngx_str_t));
    if (wlcf->origins == NULL) {
        return NGX_CONF_ERROR;
    }

    value = cf->args->elts;

    for (i = 1; i < cf->args->nelts; i++) {

        if (value[i].len == 0
            || ngx_strlchr(value[i].data, value[i].data + value[i].len, '/')
               == NULL
            || value[i].data[value[i].len - 1] == '/')
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid origin \"%V\": expected "
                               "scheme://host[:port]", &value[i]);
            return NGX_CONF_ERROR;
        }

        origin = ngx_array_push(wlcf->origins);
        if (origin == NULL) {
            return NGX_CONF_ERROR;
        }

        *origin = value[i];
    }

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_mskanban_ws_postconfiguration(ngx_conf_t *cf)
{
    ngx_str_t                          name;
    ngx_http_handler_pt               *h;
    ngx_shm_zone_t                    *shm_zone;
    ngx_http_core_main_conf_t         *cmcf;
    ngx_http_mskanban_ws_main_conf_t  *wmcf;

    wmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_mskanban_ws_module);

    if (!wmcf->used) {
        return NGX_OK;
    }

    ngx_str_set(&name, "request_uri");

    wmcf->request_uri_index = ngx_http_get_variable_index(cf, &name);
    if (wmcf->request_uri_index == NGX_ERROR) {
        return NGX_ERROR;
    }

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    /* the ticket leaves the request line before anything can log it */

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_REWRITE_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_mskanban_ws_scrub_handler;

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_ACCESS_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_mskanban_ws_access_handler;

    shm_zone = ngx_shared_memory_add(cf, &ngx_http_mskanban_ws_zone_name,
                                     8 * ngx_pagesize,
                                     &ngx_http_mskanban_ws_module);
    if (shm_zone == NULL) {
        return NGX_ERROR;
    }

    shm_zone->init = ngx_http_mskanban_ws_init_zone;
    wmcf->shm_zone = shm_zone;

    return NGX_OK;
}


static ngx_int_t
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


static void *
ngx_http_mskanban_ws_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_mskanban_ws_main_conf_t  *wmcf;

    wmcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_mskanban_ws_main_conf_t));
    if (wmcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     wmcf->shm_zone = NULL;
     *     wmcf->used = 0;
     */

    wmcf->max_connections = NGX_CONF_UNSET_UINT;
    wmcf->publish_buffer = NGX_CONF_UNSET_SIZE;
    wmcf->reassembly_budget = NGX_CONF_UNSET_SIZE;

    return wmcf;
}


static char *
ngx_http_mskanban_ws_init_main_conf(ngx_conf_t *cf, void *conf)
{
    ngx_http_mskanban_ws_main_conf_t *wmcf = conf;

    ngx_conf_init_uint_value(wmcf->max_connections, 10000);
    ngx_conf_init_size_value(wmcf->publish_buffer, 16 * 1024 * 1024);
    ngx_conf_init_size_value(wmcf->reassembly_budget, 64 * 1024 * 1024);

    if (wmcf->publish_buffer < 64 * 1024) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "mskanban_ws_publish_buffer must be at least 64k");
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static void *
ngx_http_mskanban_ws_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_mskanban_ws_loc_conf_t  *conf;

    conf = ngx_pcalloc(cf->pool, sizeof(ngx_http_mskanban_ws_loc_conf_t));
    if (conf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     conf->redeem_uri = { 0, NULL };
     */

    conf->enable = NGX_CONF_UNSET;
    conf->status = NGX_CONF_UNSET;
    conf->origins = NGX_CONF_UNSET_PTR;
    conf->max_message = NGX_CONF_UNSET_SIZE;
    conf->send_buffer = NGX_CONF_UNSET_SIZE;
    conf->ping_interval = NGX_CONF_UNSET_MSEC;
    conf->idle_timeout = NGX_CONF_UNSET_MSEC;
    conf->close_timeout = NGX_CONF_UNSET_MSEC;
    conf->max_duration = NGX_CONF_UNSET_MSEC;
    conf->message_timeout = NGX_CONF_UNSET_MSEC;

    return conf;
}


static char *
ngx_http_mskanban_ws_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_mskanban_ws_loc_conf_t *prev = parent;
    ngx_http_mskanban_ws_loc_conf_t *conf = child;

    /* "mskanban_ws" and "mskanban_ws_status" belong to one location */

    if (conf->enable == NGX_CONF_UNSET) {
        conf->enable = 0;
    }

    if (conf->status == NGX_CONF_UNSET) {
        conf->status = 0;
    }

    ngx_conf_merge_str_value(conf->redeem_uri, prev->redeem_uri,
                             "/api/internal/ws-redeem");
    ngx_conf_merge_ptr_value(conf->origins, prev->origins, NULL);
    ngx_conf_merge_size_value(conf->max_message, prev->max_message,
                              1024 * 1024);
    ngx_conf_merge_size_value(conf->send_buffer, prev->send_buffer,
                              1024 * 1024);
    ngx_conf_merge_msec_value(conf->ping_interval, prev->ping_interval,
                              30000);
    ngx_conf_merge_msec_value(conf->idle_timeout, prev->idle_timeout, 75000);
    ngx_conf_merge_msec_value(conf->close_timeout, prev->close_timeout,
                              5000);
    ngx_conf_merge_msec_value(conf->max_duration, prev->max_duration,
                              3600000);
    ngx_conf_merge_msec_value(conf->message_timeout, prev->message_timeout,
                              30000);

    if (conf->redeem_uri.len == 0 || conf->redeem_uri.data[0] != '/') {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid mskanban_ws_redeem_uri \"%V\"",
                           &conf->redeem_uri);
        return NGX_CONF_ERROR;
    }

    if (conf->max_message < 125) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "mskanban_ws_max_message must be at least 125");
        return NGX_CONF_ERROR;
    }

    if (conf->send_buffer < 1024) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "mskanban_ws_send_buffer must be at least 1k");
        return NGX_CONF_ERROR;
    }

    if (conf->ping_interval < 1000 || conf->idle_timeout < 1000) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "mskanban_ws_ping_interval and "
                           "mskanban_ws_idle_timeout must be at least 1s");
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_mskanban_ws_init_process(ngx_cycle_t *cycle)
{
    ngx_http_mskanban_main_conf_t     *mcf;
    ngx_http_mskanban_ws_main_conf_t  *wmcf;

    if (ngx_process != NGX_PROCESS_WORKER
        && ngx_process != NGX_PROCESS_SINGLE)
    {
        return NGX_OK;
    }

    wmcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_mskanban_ws_module);
    mcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_http_mskanban_module);

    if (wmcf == NULL || mcf == NULL || !wmcf->used) {
        return NGX_OK;
    }

    return ngx_http_mskanban_ws_worker_init(cycle, mcf, wmcf);
}


static void
ngx_http_mskanban_ws_exit_process(ngx_cycle_t *cycle)
{
    ngx_http_mskanban_ws_worker_exit(cycle);
}


/*
 * The rewrite phase, the first a location's handlers see: the ticket ("t")
 * is copied into the context, and the request line, $request_uri and
 * $args get copies in which its value reads "REDACTED". So no access log
 * format ("combined" logs $request) and no error log line ("request:"
 * context), of this module or any other (limit_req, upstream errors), can
 * show a ticket. The original bytes stay only in the header buffer.
 */

static ngx_int_t
ngx_http_mskanban_ws_scrub_handler(ngx_http_request_t *r)
{
    ngx_str_t                          value;
    ngx_http_variable_value_t         *vv;
    ngx_http_mskanban_ws_main_conf_t  *wmcf;
    ngx_http_mskanban_ws_t           *ws;
    ngx_http_mskanban_ws_loc_conf_t  *wlcf;

    wlcf = ngx_http_get_module_loc_conf(r, ngx_http_mskanban_ws_module);

    if (!wlcf->enable || r != r->main) {
        return NGX_DECLINED;
    }

    if (ngx_http_get_module_ctx(r, ngx_http_mskanban_ws_module) != NULL) {
        return NGX_DECLINED;
    }

    ws = ngx_pcalloc(r->pool, sizeof(ngx_http_mskanban_ws_t));
    if (ws == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ws->request = r;
    ws->conf = wlcf;
    ws->state = NGX_HTTP_MSKANBAN_WS_REDEEMING;

    ngx_http_set_ctx(r, ws, ngx_http_mskanban_ws_module);

    if (ngx_http_arg(r, (u_char *) "t", 1, &value) != NGX_OK) {
        return NGX_DECLINED;
    }

    if (ngx_http_mskanban_authz_copy(r->pool, &ws->ticket, &value) != NGX_OK
        || ngx_http_mskanban_ws_redact(r->pool, &r->request_line, 0)
           != NGX_OK
        || ngx_http_mskanban_ws_redact(r->pool, &r->unparsed_uri, 0)
           != NGX_OK
        || ngx_http_mskanban_ws_redact(r->pool, &r->args, 1) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* a $request_uri computed before (by a post-read handler) is dropped */

    wmcf = ngx_http_get_module_main_conf(r, ngx_http_mskanban_ws_module);

    vv = &r->variables[wmcf->request_uri_index];
    vv->valid = 0;
    vv->not_found = 0;

    return NGX_DECLINED;
}


/* replaces *s with a pool copy whose "t" parameters read "REDACTED" */

static ngx_int_t
ngx_http_mskanban_ws_redact(ngx_pool_t *pool, ngx_str_t *s,
    ngx_uint_t in_query)
{
    u_char  *out;
    size_t   len;

    if (s->len == 0) {
        return NGX_OK;
    }

    len = ngx_http_mskanban_ws_redact_run(s->data, s->data + s->len, in_query,
                                          NULL);

    out = ngx_pnalloc(pool, len);
    if (out == NULL) {
        return NGX_ERROR;
    }

    (void) ngx_http_mskanban_ws_redact_run(s->data, s->data + s->len,
                                           in_query, out);

    s->data = out;
    s->len = len;

    return NGX_OK;
}


/*
 * Copies [p, end) to out (or only measures, when out is NULL): in the
 * query (after the first "?", or all of it when in_query), the value of
 * each parameter named "t" (case-insensitive, as ngx_http_arg() matches)
 * becomes "REDACTED". A value ends at "&", " " (the request line's
 * protocol) or "#". Answers the length of the copy.
 */

static size_t
ngx_http_mskanban_ws_redact_run(u_char *p, u_char *end, ngx_uint_t in_query,
    u_char *out)
{
    u_char      *q;
    size_t       n;
    ngx_uint_t   at_param;

    static u_char  redacted[] = "REDACTED";

    n = 0;
    at_param = in_query;

    while (p < end) {

        if (in_query && at_param && end - p >= 2
            && (p[0] == 't' || p[0] == 'T') && p[1] == '=')
        {
            for (q = p + 2; q < end && *q != '&' && *q != ' ' && *q != '#';
                 q++)
            {
                /* void */
            }

            if (out) {
                out = ngx_cpymem(out, p, 2);
                out = ngx_cpymem(out, redacted, sizeof(redacted) - 1);
            }

            n += 2 + sizeof(redacted) - 1;
            p = q;
            at_param = 0;
            continue;
        }

        if (!in_query && *p == '?') {
            in_query = 1;
            at_param = 1;

        } else {
            at_param = (*p == '&');
        }

        if (out) {
            *out++ = *p;
        }

        n++;
        p++;
    }

    return n;
}


/*
 * The access phase: check the handshake, then redeem the ticket. The
 * decision is kept in the context; the content handler answers it.
 */

static ngx_int_t
ngx_http_mskanban_ws_access_handler(ngx_http_request_t *r)
{
    u_char                            buf[256];
    ngx_str_t                         args;
    ngx_http_mskanban_ws_t           *ws;
    ngx_http_mskanban_ws_loc_conf_t  *wlcf;

    wlcf = ngx_http_get_module_loc_conf(r, ngx_http_mskanban_ws_module);

    if (!wlcf->enable || r != r->main) {
        return NGX_DECLINED;
    }

    ws = ngx_http_get_module_ctx(r, ngx_http_mskanban_ws_module);

    if (ws == NULL) {
        /* the rewrite phase made the context; it always runs first */
        return NGX_ERROR;
    }

    if (ws->checked) {
        return ws->done ? NGX_OK : NGX_AGAIN;
    }

    ws->checked = 1;

    ws->status = ngx_http_mskanban_ws_handshake_check(r, wlcf);

    if (ws->status == NGX_OK) {
        ws->status = ngx_http_mskanban_ws_target(r, ws);
    }

    if (ws->status != NGX_OK) {
        ws->done = 1;
        return NGX_OK;
    }

    /* a ticket has at most 128 bytes, a room 70 (_target() checked) */

    args.data = buf;
    args.len = ngx_snprintf(buf, sizeof(buf), "t=%V&room=%V", &ws->ticket,
                            &ws->room_name)
               - buf;

    if (ngx_http_mskanban_authz_request(r, &wlcf->redeem_uri, NULL, &args,
                                        ngx_http_mskanban_ws_redeemed, ws)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* even when answered already: the answer's event resumes the phases */

    return NGX_AGAIN;
}


/*
 * The ticket ("t") and the room: the last path segment when it is one
 * ("/api/ws/card:<id>", as y-websocket builds it), else the "room"
 * argument, else none (the ticket names it). Answers NGX_OK or a status.
 */

static ngx_int_t
ngx_http_mskanban_ws_target(ngx_http_request_t *r, ngx_http_mskanban_ws_t *ws)
{
    u_char     *p, *end, *start;
    ngx_str_t   value;

    /* the rewrite phase took the ticket out of the request */

    value = ws->ticket;

    if (value.len == 0 || value.len > 128) {
        return NGX_HTTP_UNAUTHORIZED;
    }

    for (p = value.data, end = p + value.len; p < end; p++) {
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')
              || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
        {
            return NGX_HTTP_UNAUTHORIZED;
        }
    }

    end = r->uri.data + r->uri.len;

    for (start = end; start > r->uri.data && start[-1] != '/'; start--) {
        /* void */
    }

    if (ngx_strlchr(start, end, ':') != NULL) {
        if (ngx_http_mskanban_ws_valid_room(start, end - start) != NGX_OK) {
            return NGX_HTTP_NOT_FOUND;
        }

        ws->room_name.data = start;
        ws->room_name.len = end - start;

        return NGX_OK;
    }

    if (ngx_http_arg(r, (u_char *) "room", 4, &value) == NGX_OK
        && value.len)
    {
        /* "%3A" for ":" in a query is tolerated */

        p = ngx_pnalloc(r->pool, value.len);
        if (p == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        start = p;
        ngx_unescape_uri(&p, &value.data, value.len, NGX_UNESCAPE_URI);

        if (ngx_http_mskanban_ws_valid_room(start, p - start) != NGX_OK) {
            return NGX_HTTP_NOT_FOUND;
        }

        ws->room_name.data = start;
        ws->room_name.len = p - start;
    }

    return NGX_OK;
}


static void
ngx_http_mskanban_ws_redeemed(ngx_http_request_t *r, void *data,
    ngx_uint_t status, ngx_list_t *headers)
{
    ngx_http_mskanban_ws_t *ws = data;

    ngx_str_t                     *room, *expires;
    ngx_http_mskanban_authz_id_t   id;

    ws->done = 1;
    ws->status = status;

    if (status < NGX_HTTP_OK || status >= NGX_HTTP_SPECIAL_RESPONSE) {
        if (status == 0) {
            ws->status = NGX_HTTP_BAD_GATEWAY;
        }

        return;
    }

    ws->status = ngx_http_mskanban_authz_identity(r, headers, &id);

    if (ws->status != NGX_OK) {
        return;
    }

    room = ngx_http_mskanban_find_header(headers, "X-MSKanban-Room");
    expires = ngx_http_mskanban_find_header(headers,
                                            "X-MSKanban-Session-Expires");

    if (room == NULL || id.role.len == 0
        || ngx_http_mskanban_ws_session_end(ws, expires) != NGX_OK
        || ngx_http_mskanban_ws_valid_room(room->data, room->len) != NGX_OK
        || (ws->room_name.len
            && (room->len != ws->room_name.len
                || ngx_strncmp(room->data, ws->room_name.data, room->len)
                   != 0)))
    {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "mskanban: ticket redemption answered %ui without a "
                      "valid X-MSKanban-Room, -Role and -Session-Expires",
                      status);
        ws->status = NGX_HTTP_BAD_GATEWAY;
        return;
    }

    if (ws->room_name.len == 0
        && ngx_http_mskanban_authz_copy(r->pool, &ws->room_name, room)
           != NGX_OK)
    {
        ws->status = NGX_HTTP_INTERNAL_SERVER_ERROR;
        return;
    }

    ws->id.user = id.user;
    ws->id.session = id.session;
    ws->id.workspace = id.workspace;
    ws->board = id.board;

    /* anything but a writer's role only follows the document */

    ws->readonly = !((id.role.len == 6
                      && ngx_strncmp(id.role.data, "member", 6) == 0)
                     || (id.role.len == 5
                         && ngx_strncmp(id.role.data, "owner", 5) == 0));

    ws->status = NGX_OK;
}


/*
 * X-MSKanban-Session-Expires: the unix time at which the session ends if
 * nothing else uses it (its idle or its absolute expiry, whichever comes
 * first); the connection is closed then (ngx_http_mskanban_ws_tick()).
 */

static ngx_int_t
ngx_http_mskanban_ws_session_end(ngx_http_mskanban_ws_t *ws,
    ngx_str_t *value)
{
    time_t  t, left;

    if (value == NULL) {
        return NGX_ERROR;
    }

    t = ngx_atotm(value->data, value->len);
    if (t == NGX_ERROR) {
        return NGX_ERROR;
    }

    left = t - ngx_time();

    if (left <= 0) {
        return NGX_ERROR;
    }

    /* a year at most: the core's lifetimes are hours */

    left = ngx_min(left, 365 * 86400);

    ws->expires = ngx_current_msec + (ngx_msec_t) left * 1000;
    ws->has_expiry = 1;

    return NGX_OK;
}


/* the content handler: refuse, or upgrade and join the room */

static ngx_int_t
ngx_http_mskanban_ws_handler(ngx_http_request_t *r)
{
    ngx_int_t                          rc;
    ngx_connection_t                  *c;
    ngx_pool_cleanup_t                *cln;
    ngx_http_mskanban_ws_t            *ws;
    ngx_http_mskanban_ws_main_conf_t  *wmcf;

    c = r->connection;
    ws = ngx_http_get_module_ctx(r, ngx_http_mskanban_ws_module);

    if (ws == NULL || !ws->done) {
        ngx_log_error(NGX_LOG_ERR, c->log, 0,
                      "mskanban: the ticket redemption did not run "
                      "(is \"satisfy any\" set for this location?)");
        return ngx_http_mskanban_send_error(r,
                                            NGX_HTTP_INTERNAL_SERVER_ERROR,
                                            "INTERNAL", "internal error");
    }

    if (ws->status != NGX_OK) {
        return ngx_http_mskanban_ws_refuse(r, ws->status);
    }

    wmcf = ngx_http_get_module_main_conf(r, ngx_http_mskanban_ws_module);

    if (ngx_http_mskanban_ws_worker_connections() >= wmcf->max_connections) {
        ngx_log_error(NGX_LOG_WARN, c->log, 0,
                      "mskanban: websocket refused: %ui connections on this "
                      "worker (mskanban_ws_max_connections)",
                      ngx_http_mskanban_ws_worker_connections());
        return ngx_http_mskanban_ws_refuse(r, NGX_HTTP_SERVICE_UNAVAILABLE);
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    cln->handler = ngx_http_mskanban_ws_cleanup;
    cln->data = ws;

    ws->busy_last = &ws->busy;
    ws->finish_ev.handler = ngx_http_mskanban_ws_finish_handler;
    ws->finish_ev.data = ws;
    ws->finish_ev.log = c->log;
    ws->last_recv = ngx_current_msec;
    ws->last_ping = ngx_current_msec;

    /* the session's end, or mskanban_ws_max_duration, whichever first */

    if (ws->conf->max_duration
        && (!ws->has_expiry
            || ws->expires - ngx_current_msec > ws->conf->max_duration))
    {
        ws->expires = ngx_current_msec + ws->conf->max_duration;
        ws->has_expiry = 1;
    }

    ngx_http_mskanban_ws_parser_init(&ws->parser, ws->conf->max_message);

    rc = ngx_http_mskanban_ws_handshake_accept(r);

    if (rc == NGX_ERROR || rc > NGX_OK) {
        return rc;
    }

    ngx_http_mskanban_ws_stat(accepted, 1);
    ngx_http_mskanban_ws_stat(connections, 1);
    ws->counted = 1;

    c->log->action = "relaying websocket";

    r->read_event_handler = ngx_http_mskanban_ws_read_handler;
    r->write_event_handler = ngx_http_mskanban_ws_write_handler;
    r->main->count++;

    ws->state = NGX_HTTP_MSKANBAN_WS_WAITING;

    if (ngx_tcp_nodelay(c) != NGX_OK) {
        ngx_http_mskanban_ws_abort(ws);
        return NGX_DONE;
    }

    ngx_http_mskanban_ws_flush(ws);

    if (ws->state == NGX_HTTP_MSKANBAN_WS_WAITING
        && ngx_http_mskanban_ws_join(ws) != NGX_OK)
    {
        ngx_http_mskanban_ws_close(ws, NGX_HTTP_MSKANBAN_WS_TRY_AGAIN);
    }

    return NGX_DONE;
}


static ngx_int_t
ngx_http_mskanban_ws_refuse(ngx_http_request_t *r, ngx_uint_t status)
{
    ngx_http_mskanban_ws_stat(refused, 1);

    switch (status) {

    case NGX_HTTP_BAD_REQUEST:
        return ngx_http_mskanban_send_error(r, status, "BAD_REQUEST",
                                            "invalid websocket handshake");

    case NGX_HTTP_UNAUTHORIZED:
        return ngx_http_mskanban_send_error(r, status, "UNAUTHORIZED",
                                            "missing, used or expired ticket");

    case NGX_HTTP_FORBIDDEN:
        return ngx_http_mskanban_send_error(r, status, "FORBIDDEN",
                                            "origin not allowed");

    case NGX_HTTP_NOT_FOUND:
        return ngx_http_mskanban_send_error(r, status, "NOT_FOUND",
                                            "room not found");

    case NGX_HTTP_NOT_ALLOWED:
        if (ngx_http_mskanban_add_header(r, "Allow", "GET") != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_http_mskanban_send_error(r, status, "METHOD_NOT_ALLOWED",
                                            "method not allowed");

    case 426:
        if (ngx_http_mskanban_add_header(r, "Sec-WebSocket-Version", "13")
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if (ngx_http_mskanban_add_header(r, "Upgrade", "websocket") != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_str_set(&r->headers_out.status_line, "426 Upgrade Required");

        return ngx_http_mskanban_send_error(r, status, "UPGRADE_REQUIRED",
                                            "a WebSocket (version 13) "
                                            "upgrade is required");

    case NGX_HTTP_TOO_MANY_REQUESTS:
        return ngx_http_mskanban_send_error(r, status, "RATE_LIMITED",
                                            "too many requests");

    case NGX_HTTP_SERVICE_UNAVAILABLE:
        return ngx_http_mskanban_send_error(r, status, "UNAVAILABLE",
                                            "the relay is busy; "
                                            "try again shortly");

    default:
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "mskanban: ticket redemption answered %ui", status);

        return ngx_http_mskanban_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                            "UNAVAILABLE",
                                            "authorization unavailable");
    }
}


/* "board:<id>" or "card:<id>" */

static ngx_int_t
ngx_http_mskanban_ws_valid_room(u_char *p, size_t len)
{
    if (len > 6 && ngx_strncmp(p, "board:", 6) == 0) {
        return ngx_http_mskanban_valid_id(p + 6, len - 6);
    }

    if (len > 5 && ngx_strncmp(p, "card:", 5) == 0) {
        return ngx_http_mskanban_valid_id(p + 5, len - 5);
    }

    return NGX_DECLINED;
}


/* the counters of every worker, as JSON */

static ngx_int_t
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


/* the room is subscribed: read what the client sends */

void
ngx_http_mskanban_ws_start(ngx_http_mskanban_ws_t *ws)
{
    if (ws->state != NGX_HTTP_MSKANBAN_WS_WAITING) {
        return;
    }

    ws->state = NGX_HTTP_MSKANBAN_WS_OPEN;
    ws->last_recv = ngx_current_msec;

    ngx_post_event(ws->request->connection->read, &ngx_posted_events);
}


static void
ngx_http_mskanban_ws_read_handler(ngx_http_request_t *r)
{
    u_char                  *p, *last;
    size_t                   total;
    ssize_t                  n;
    ngx_connection_t        *c;
    ngx_http_mskanban_ws_t  *ws;

    c = r->connection;
    ws = ngx_http_get_module_ctx(r, ngx_http_mskanban_ws_module);

    if (c->read->timedout) {
        c->read->timedout = 0;

        /* the message timer (ngx_http_mskanban_ws_append()) */

        if (ws && ws->state == NGX_HTTP_MSKANBAN_WS_OPEN && ws->msg_len) {
            ngx_log_error(NGX_LOG_INFO, c->log, 0,
                          "mskanban: websocket message not complete within "
                          "mskanban_ws_message_timeout, closing with 1008");
            ngx_http_mskanban_ws_stat(protocol_closed, 1);
            ngx_http_mskanban_ws_close(ws, NGX_HTTP_MSKANBAN_WS_POLICY);
            return;
        }
    }

    /* after a close frame or a protocol error nothing more is read */

    if (ws == NULL
        || (ws->state != NGX_HTTP_MSKANBAN_WS_OPEN
            && ws->state != NGX_HTTP_MSKANBAN_WS_CLOSING)
        || ws->abort || ws->close_received)
    {
        return;
    }

    /* frames that came right behind the request headers */

    if (r->header_in->pos < r->header_in->last) {
        p = r->header_in->pos;
        last = r->header_in->last;
        r->header_in->pos = last;

        ws->last_recv = ngx_current_msec;
        ngx_http_mskanban_ws_stat(bytes_in, last - p);

        if (ngx_http_mskanban_ws_process(ws, p, last) != NGX_OK) {
            return;
        }
    }

    total = 0;

    for ( ;; ) {

        n = c->recv(c, ngx_http_mskanban_ws_rbuf,
                    sizeof(ngx_http_mskanban_ws_rbuf));

        if (n == NGX_AGAIN) {
            break;
        }

        if (n == 0 || n == NGX_ERROR) {
            ngx_log_error(NGX_LOG_INFO, c->log, 0,
                          "mskanban: websocket client closed the connection");
            ngx_http_mskanban_ws_abort(ws);
            return;
        }

        ws->last_recv = ngx_current_msec;
        ngx_http_mskanban_ws_stat(bytes_in, n);

        if (ngx_http_mskanban_ws_process(ws, ngx_http_mskanban_ws_rbuf,
                                         ngx_http_mskanban_ws_rbuf + n)
            != NGX_OK)
        {
            return;
        }

        total += n;

        if (total >= NGX_HTTP_MSKANBAN_WS_READ_BUDGET) {

            /* let other connections run; come back after them */

            ngx_post_event(c->read, &ngx_posted_next_events);
            return;
        }

        if (!c->read->ready) {
            break;
        }
    }

    if (ngx_handle_read_event(c->read, 0) != NGX_OK) {
        ngx_http_mskanban_ws_abort(ws);
    }
}


/* parses what was read; NGX_ERROR when the reading has to stop */

static ngx_int_t
ngx_http_mskanban_ws_process(ngx_http_mskanban_ws_t *ws, u_char *p,
    u_char *last)
{
    ngx_int_t                     rc;
    ngx_http_mskanban_ws_event_t  ev;

    while (p < last) {

        rc = ngx_http_mskanban_ws_parse(&ws->parser, &p, last, &ev);

        if (rc == NGX_AGAIN) {
            return NGX_OK;
        }

        if (rc == NGX_ERROR) {
            ngx_log_error(NGX_LOG_INFO, ws->request->connection->log, 0,
                          "mskanban: websocket protocol error, closing "
                          "with %ui", ev.code);
            ngx_http_mskanban_ws_stat(protocol_closed, 1);
            ngx_http_mskanban_ws_fail(ws, ev.code);
            return NGX_ERROR;
        }

        if (ev.type == NGX_HTTP_MSKANBAN_WS_EV_CONTROL) {
            ngx_http_mskanban_ws_control(ws, &ev);

        } else if (ws->state == NGX_HTTP_MSKANBAN_WS_OPEN) {
            if (ngx_http_mskanban_ws_append(ws, &ev) != NGX_OK) {
                return NGX_ERROR;
            }
        }

        if (ws->abort || ws->close_received
            || ws->state == NGX_HTTP_MSKANBAN_WS_DONE)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/* adds a chunk to the message; publishes it when complete */

static ngx_int_t
ngx_http_mskanban_ws_append(ngx_http_mskanban_ws_t *ws,
    ngx_http_mskanban_ws_event_t *ev)
{
    u_char                            *buf;
    size_t                             need, size;
    ngx_int_t                          rc;
    ngx_connection_t                  *c;
    ngx_http_mskanban_ws_main_conf_t  *wmcf;

    need = NGX_HTTP_MSKANBAN_WS_PREFIX_LEN + ws->msg_len + ev->len;

    if (need > ws->msg_size) {

        /* the parser bounds a message by mskanban_ws_max_message */

        size = ngx_max(need, 2 * ws->msg_size);
        size = ngx_max(size, 1024);
        size = ngx_min(size, NGX_HTTP_MSKANBAN_WS_PREFIX_LEN
                             + ws->conf->max_message);

        wmcf = ngx_http_get_module_main_conf(ws->request,
                                             ngx_http_mskanban_ws_module);

        if (ngx_http_mskanban_ws_reassembly - ws->msg_size + size
            > wmcf->reassembly_budget)
        {
            ngx_log_error(NGX_LOG_WARN, ws->request->connection->log, 0,
                          "mskanban: websocket messages being reassembled "
                          "hold %uz bytes on this worker "
                          "(mskanban_ws_reassembly_budget), closing with 1009",
                          ngx_http_mskanban_ws_reassembly);
            ngx_http_mskanban_ws_stat(budget_closed, 1);
            ngx_http_mskanban_ws_close(ws, NGX_HTTP_MSKANBAN_WS_TOO_BIG);
            return NGX_ERROR;
        }

        buf = ngx_alloc(size, ws->request->connection->log);
        if (buf == NULL) {
            ngx_http_mskanban_ws_close(ws, NGX_HTTP_MSKANBAN_WS_INTERNAL);
            return NGX_ERROR;
        }

        if (ws->msg) {
            ngx_memcpy(buf, ws->msg, NGX_HTTP_MSKANBAN_WS_PREFIX_LEN
                                     + ws->msg_len);
            ngx_free(ws->msg);
        }

        ngx_http_mskanban_ws_reassembly += size - ws->msg_size;

        ws->msg = buf;
        ws->msg_size = size;
    }

    if (ev->len) {
        ngx_memcpy(ws->msg + NGX_HTTP_MSKANBAN_WS_PREFIX_LEN + ws->msg_len,
                   ev->data, ev->len);
        ws->msg_len += ev->len;
    }

    c = ws->request->connection;

    if (!ev->last) {

        /* a message in pieces is complete within mskanban_ws_message_timeout */

        if (!c->read->timer_set) {
            ngx_add_timer(c->read, ws->conf->message_timeout);
        }

        return NGX_OK;
    }

    if (c->read->timer_set) {
        ngx_del_timer(c->read);
    }

    ngx_http_mskanban_ws_stat(messages_in, 1);

    if (ws->readonly
        && !ngx_http_mskanban_ws_follows_only(ws->msg
                                              + NGX_HTTP_MSKANBAN_WS_PREFIX_LEN,
                                              ws->msg_len, ev->opcode))
    {
        /* a viewer's change: dropped, the connection stays to follow */

        ngx_http_mskanban_ws_stat(readonly_dropped, 1);
        ngx_http_mskanban_ws_msg_free(ws);
        return NGX_OK;
    }

    rc = ngx_http_mskanban_ws_publish(ws, ws->msg,
                                      NGX_HTTP_MSKANBAN_WS_PREFIX_LEN
                                      + ws->msg_len, ev->opcode);

    /* nothing is kept between messages: an idle connection holds no buffer */

    ngx_http_mskanban_ws_msg_free(ws);

    if (rc != NGX_OK) {
        ngx_http_mskanban_ws_close(ws, NGX_HTTP_MSKANBAN_WS_TRY_AGAIN);
        return NGX_ERROR;
    }

    return NGX_OK;
}


static void
ngx_http_mskanban_ws_msg_free(ngx_http_mskanban_ws_t *ws)
{
    if (ws->msg) {
        ngx_free(ws->msg);
        ngx_http_mskanban_ws_reassembly -= ws->msg_size;
        ws->msg = NULL;
        ws->msg_size = 0;
    }

    ws->msg_len = 0;
}


/*
 * What a read-only (viewer) connection may send: binary messages whose
 * first bytes, the y-protocols message type (and sync step), ask for the
 * document or carry presence, and cannot change the document:
 *
 *     00 00 ...   sync step 1 (a state vector: "send me what I miss")
 *     01 ...      awareness update (presence, cursors)
 *     03 ...      awareness query
 *
 * Sync step 2 (00 01) and updates (00 02) change the document, and
 * anything else (text, auth, unknown types) is not needed to follow, so
 * they are dropped. Clients that seal their messages keep these one or
 * two bytes in clear in front of the sealed message and bind them to it
 * (docs/internals.md, "Relay roles"), so the relay reads the same bytes.
 */

static ngx_uint_t
ngx_http_mskanban_ws_follows_only(u_char *p, size_t len, ngx_uint_t opcode)
{
    if (opcode != NGX_HTTP_MSKANBAN_WS_BINARY || len == 0) {
        return 0;
    }

    switch (p[0]) {

    case 0x00:
        return len >= 2 && p[1] == 0x00;

    case 0x01:
    case 0x03:
        return 1;

    default:
        return 0;
    }
}


static void
ngx_http_mskanban_ws_control(ngx_http_mskanban_ws_t *ws,
    ngx_http_mskanban_ws_event_t *ev)
{
    ngx_uint_t                   code;
    ngx_http_mskanban_ws_msg_t  *msg;

    switch (ev->opcode) {

    case NGX_HTTP_MSKANBAN_WS_PING:

        if (ws->state != NGX_HTTP_MSKANBAN_WS_OPEN) {
            return;
        }

        /* a client that pings without reading the pongs is a slow one */

        if (!ngx_http_mskanban_ws_fits(ws, 2 + ev->len)) {
            ngx_http_mskanban_ws_slow(ws);
            return;
        }

        msg = ngx_http_mskanban_ws_msg_create(NGX_HTTP_MSKANBAN_WS_PONG,
                                              ev->data, ev->len,
                                              ws->request->connection->log);
        if (msg == NULL) {
            ngx_http_mskanban_ws_close(ws, NGX_HTTP_MSKANBAN_WS_INTERNAL);
            return;
        }

        (void) ngx_http_mskanban_ws_queue(ws, msg);
        ngx_http_mskanban_ws_msg_release(msg);
        ngx_http_mskanban_ws_post_flush(ws);

        return;

    case NGX_HTTP_MSKANBAN_WS_CLOSE:

        ws->close_received = 1;

        if (ws->close_sent) {
            /* the handshake is complete */
            ngx_http_mskanban_ws_post_flush(ws);
            return;
        }

        /* echo the code, or nothing when the client sent none */

        code = (ev->code == NGX_HTTP_MSKANBAN_WS_NO_STATUS) ? 0 : ev->code;

        ngx_http_mskanban_ws_close(ws, code);

        return;

    default: /* NGX_HTTP_MSKANBAN_WS_PONG */
        return;
    }
}


/* a protocol error: send the code and close without waiting for a reply */

static void
ngx_http_mskanban_ws_fail(ngx_http_mskanban_ws_t *ws, ngx_uint_t code)
{
    ngx_http_mskanban_ws_close(ws, code);

    ws->close_received = 1;

    ngx_http_mskanban_ws_post_flush(ws);
}


/*
 * Starts the closing handshake: frames not yet started are dropped (the
 * client will resynchronize), a close frame goes out, and the client has
 * mskanban_ws_close_timeout to answer. A code of 0 sends an empty close.
 */

void
ngx_http_mskanban_ws_close(ngx_http_mskanban_ws_t *ws, ngx_uint_t code)
{
    u_char                        payload[2];
    ngx_http_mskanban_ws_out_t   *o, **next;
    ngx_http_mskanban_ws_msg_t   *msg;

    if (ws->state == NGX_HTTP_MSKANBAN_WS_REDEEMING
        || ws->state >= NGX_HTTP_MSKANBAN_WS_CLOSING)
    {
        return;
    }

    ws->state = NGX_HTTP_MSKANBAN_WS_CLOSING;
    ws->close_code = code;

    /* a message in pieces will not be relayed now */

    ngx_http_mskanban_ws_msg_free(ws);

    /* the client has mskanban_ws_close_timeout to answer: finish_ev */

    ngx_add_timer(&ws->finish_ev, ws->conf->close_timeout);

    /* keep only a frame partly written: it must be finished */

    next = &ws->busy;

    if (ws->busy && ws->busy->buf.pos != ws->busy->buf.start) {
        next = &ws->busy->next;
    }

    while (*next) {
        o = *next;
        *next = o->next;

        ws->queued -= o->buf.last - o->buf.pos;
        ws->nqueued--;
        ngx_http_mskanban_ws_msg_release(o->msg);
        o->msg = NULL;

        o->next = ws->free;
        ws->free = o;
    }

    ws->busy_last = next;

    payload[0] = (u_char) (code >> 8);
    payload[1] = (u_char) code;

    msg = ngx_http_mskanban_ws_msg_create(NGX_HTTP_MSKANBAN_WS_CLOSE,
                                          payload, code ? 2 : 0,
                                          ws->request->connection->log);

    if (msg == NULL || ngx_http_mskanban_ws_queue(ws, msg) != NGX_OK) {
        if (msg) {
            ngx_http_mskanban_ws_msg_release(msg);
        }

        ngx_http_mskanban_ws_abort(ws);
        return;
    }

    ngx_http_mskanban_ws_msg_release(msg);

    ws->close_sent = 1;

    /* the client's close frame is read even when the room never started */

    ngx_post_event(ws->request->connection->read, &ngx_posted_events);

    ngx_http_mskanban_ws_post_flush(ws);
}


/*
 * Queues a message from the room. NGX_ERROR means it was not queued: the
 * connection is closing, or it was too slow and is now being closed.
 */

ngx_int_t
ngx_http_mskanban_ws_send(ngx_http_mskanban_ws_t *ws,
    ngx_http_mskanban_ws_msg_t *msg)
{
    if (ws->state != NGX_HTTP_MSKANBAN_WS_OPEN) {
        return NGX_ERROR;
    }

    if (!ngx_http_mskanban_ws_fits(ws, msg->len)) {
        ngx_http_mskanban_ws_slow(ws);
        return NGX_ERROR;
    }

    if (ngx_http_mskanban_ws_queue(ws, msg) != NGX_OK) {
        ngx_http_mskanban_ws_abort(ws);
        return NGX_ERROR;
    }

    ngx_http_mskanban_ws_stat(messages_out, 1);

    ngx_http_mskanban_ws_post_flush(ws);

    return NGX_OK;
}


/*
 * Whether a frame of len bytes may be queued: the frames' bytes and their
 * bookkeeping stay within mskanban_ws_send_buffer, so that many tiny
 * frames cannot grow memory either. One frame always fits an empty queue,
 * so a message up to mskanban_ws_max_message reaches a client that keeps
 * up.
 */

static ngx_uint_t
ngx_http_mskanban_ws_fits(ngx_http_mskanban_ws_t *ws, size_t len)
{
    if (ws->nqueued == 0) {
        return 1;
    }

    return ws->queued + len
           + (ws->nqueued + 1) * sizeof(ngx_http_mskanban_ws_out_t)
           <= ws->conf->send_buffer;
}


static void
ngx_http_mskanban_ws_slow(ngx_http_mskanban_ws_t *ws)
{
    ngx_log_error(NGX_LOG_INFO, ws->request->connection->log, 0,
                  "mskanban: websocket client too slow, %uz bytes in %ui "
                  "frames not yet taken", ws->queued, ws->nqueued);

    ngx_http_mskanban_ws_stat(slow_closed, 1);
    ngx_http_mskanban_ws_close(ws, NGX_HTTP_MSKANBAN_WS_TRY_AGAIN);
}


static ngx_int_t
ngx_http_mskanban_ws_queue(ngx_http_mskanban_ws_t *ws,
    ngx_http_mskanban_ws_msg_t *msg)
{
    ngx_http_mskanban_ws_out_t  *o;

    o = ws->free;

    if (o != NULL) {
        ws->free = o->next;

    } else {
        o = ngx_palloc(ws->request->pool, sizeof(ngx_http_mskanban_ws_out_t));
        if (o == NULL) {
            return NGX_ERROR;
        }
    }

    ngx_memzero(&o->buf, sizeof(ngx_buf_t));

    o->buf.start = msg->data;
    o->buf.pos = msg->data;
    o->buf.last = msg->data + msg->len;
    o->buf.end = o->buf.last;
    o->buf.memory = 1;
    o->buf.tag = (ngx_buf_tag_t) &ngx_http_mskanban_ws_module;

    o->cl.buf = &o->buf;
    o->cl.next = NULL;

    o->msg = msg;
    msg->refs++;

    o->next = NULL;
    *ws->busy_last = o;
    ws->busy_last = &o->next;

    ws->queued += msg->len;
    ws->nqueued++;

    return NGX_OK;
}


/*
 * Writing waits for the write event posted here: frames queued while
 * handling one read or one batch of Redis replies go out together, in
 * one writev(), instead of one system call per frame.
 */

static void
ngx_http_mskanban_ws_post_flush(ngx_http_mskanban_ws_t *ws)
{
    if (ws->abort || ws->state == NGX_HTTP_MSKANBAN_WS_DONE) {
        return;
    }

    ngx_post_event(ws->request->connection->write, &ngx_posted_events);
}


/*
 * Writes what the socket takes. Never ends the request itself: when the
 * connection is finished (close handshake done, or broken) it posts
 * finish_ev, so that this is safe to call from a Redis callback.
 */

static void
ngx_http_mskanban_ws_flush(ngx_http_mskanban_ws_t *ws)
{
    off_t                        sent;
    ngx_int_t                    rc;
    ngx_uint_t                   n;
    ngx_chain_t                 *cl, **ll, *tail;
    ngx_event_t                 *wev;
    ngx_connection_t            *c;
    ngx_http_request_t          *r;
    ngx_http_core_loc_conf_t    *clcf;
    ngx_http_mskanban_ws_out_t  *o;

    if (ws->abort || ws->state == NGX_HTTP_MSKANBAN_WS_DONE) {
        return;
    }

    r = ws->request;
    c = r->connection;
    wev = c->write;
    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    /*
     * the 101 response first: the header filter left it in r->out, where
     * the write filter sends it (the filters above it hold nothing here)
     */

    if (r->out) {

        /* flushed: over TLS, nginx otherwise keeps it in the SSL buffer */

        for (cl = r->out; cl->next; cl = cl->next) { /* void */ }
        cl->buf->flush = 1;

        rc = ngx_http_write_filter(r, NULL);

        if (rc == NGX_ERROR) {
            c->error = 1;
            ngx_http_mskanban_ws_abort(ws);
            return;
        }

        if (r->out) {
            goto wait;
        }
    }

    while (ws->busy && wev->ready) {

        /* a chain of up to 64 frames, written with one writev() */

        ll = &cl;
        n = 0;
        tail = NULL;

        for (o = ws->busy; o && n < 64; o = o->next, n++) {
            o->cl.next = NULL;
            *ll = &o->cl;
            ll = &o->cl.next;
            tail = &o->cl;
        }

        /*
         * over TLS, send_chain() holds bytes in the SSL buffer (16k) until
         * a buffer asks for a flush: the batch's last one does
         */

        if (tail) {
            tail->buf->flush = 1;
        }

        sent = c->sent;

        cl = c->send_chain(c, cl, 0);

        if (cl == NGX_CHAIN_ERROR) {
            c->error = 1;
            ngx_http_mskanban_ws_abort(ws);
            return;
        }

        ngx_http_mskanban_ws_stat(bytes_out, c->sent - sent);

        while (ws->busy && ws->busy->buf.pos == ws->busy->buf.last) {
            o = ws->busy;
            ws->busy = o->next;

            ws->queued -= o->msg->len;
            ws->nqueued--;
            ngx_http_mskanban_ws_msg_release(o->msg);
            o->msg = NULL;

            o->next = ws->free;
            ws->free = o;
        }

        if (ws->busy == NULL) {
            ws->busy_last = &ws->busy;
        }

        if (c->sent == sent) {
            break;
        }

        if (wev->timer_set) {
            ngx_del_timer(wev);
        }
    }

    if (ws->busy == NULL) {

        if (wev->timer_set) {
            ngx_del_timer(wev);
        }

        if (ws->state == NGX_HTTP_MSKANBAN_WS_CLOSING && ws->close_sent
            && ws->close_received)
        {
            ws->state = NGX_HTTP_MSKANBAN_WS_DONE;
            ngx_post_event(&ws->finish_ev, &ngx_posted_events);
            return;
        }

        if (ngx_handle_write_event(wev, 0) != NGX_OK) {
            ngx_http_mskanban_ws_abort(ws);
        }

        return;
    }

wait:

    if (!wev->timer_set) {
        ngx_add_timer(wev, clcf->send_timeout);
    }

    if (ngx_handle_write_event(wev, 0) != NGX_OK) {
        ngx_http_mskanban_ws_abort(ws);
    }
}


static void
ngx_http_mskanban_ws_write_handler(ngx_http_request_t *r)
{
    ngx_connection_t        *c;
    ngx_http_mskanban_ws_t  *ws;

    c = r->connection;
    ws = ngx_http_get_module_ctx(r, ngx_http_mskanban_ws_module);

    if (ws == NULL) {
        return;
    }

    if (c->write->timedout) {
        c->write->timedout = 0;
        c->timedout = 1;

        ngx_log_error(NGX_LOG_INFO, c->log, NGX_ETIMEDOUT,
                      "mskanban: websocket client timed out");

        if (ws->state != NGX_HTTP_MSKANBAN_WS_CLOSING) {
            ngx_http_mskanban_ws_stat(slow_closed, 1);
        }

        ngx_http_mskanban_ws_abort(ws);
        return;
    }

    ngx_http_mskanban_ws_flush(ws);
}


/* once a second, from the worker's tick: pings, idle and close deadlines */

void
ngx_http_mskanban_ws_tick(ngx_http_mskanban_ws_t *ws, ngx_msec_t now)
{
    ngx_http_mskanban_ws_loc_conf_t  *wlcf;

    wlcf = ws->conf;

    switch (ws->state) {

    case NGX_HTTP_MSKANBAN_WS_WAITING:
    case NGX_HTTP_MSKANBAN_WS_OPEN:

        if (ws->has_expiry && (ngx_msec_int_t) (now - ws->expires) >= 0) {
            ngx_log_error(NGX_LOG_INFO, ws->request->connection->log, 0,
                          "mskanban: websocket session expired or "
                          "mskanban_ws_max_duration reached, closing");
            ngx_http_mskanban_ws_stat(expired_closed, 1);
            ngx_http_mskanban_ws_close(ws, NGX_HTTP_MSKANBAN_WS_REAUTH);
            return;
        }

        if ((ngx_msec_int_t) (now - ws->last_recv)
            >= (ngx_msec_int_t) wlcf->idle_timeout)
        {
            ngx_log_error(NGX_LOG_INFO, ws->request->connection->log, 0,
                          "mskanban: websocket idle, closing");
            ngx_http_mskanban_ws_stat(idle_closed, 1);
            ngx_http_mskanban_ws_close(ws, NGX_HTTP_MSKANBAN_WS_GOING_AWAY);
            return;
        }

        if (ws->state == NGX_HTTP_MSKANBAN_WS_OPEN
            && (ngx_msec_int_t) (now - ws->last_recv)
               >= (ngx_msec_int_t) wlcf->ping_interval
            && (ngx_msec_int_t) (now - ws->last_ping)
               >= (ngx_msec_int_t) wlcf->ping_interval
            && ngx_http_mskanban_ws_fits(ws, ngx_http_mskanban_ws_ping.len))
        {
            ws->last_ping = now;

            if (ngx_http_mskanban_ws_queue(ws, &ngx_http_mskanban_ws_ping)
                != NGX_OK)
            {
                ngx_http_mskanban_ws_abort(ws);
                return;
            }

            ngx_http_mskanban_ws_post_flush(ws);
        }

        return;

    default:
        return;
    }
}


/* ends the connection without (more of) a close handshake */

static void
ngx_http_mskanban_ws_abort(ngx_http_mskanban_ws_t *ws)
{
    if (ws->abort) {
        return;
    }

    ws->abort = 1;
    ws->state = NGX_HTTP_MSKANBAN_WS_DONE;

    ngx_post_event(&ws->finish_ev, &ngx_posted_events);
}


static void
ngx_http_mskanban_ws_finish_handler(ngx_event_t *ev)
{
    ngx_connection_t        *c;
    ngx_http_request_t      *r;
    ngx_http_mskanban_ws_t  *ws;

    ws = ev->data;
    r = ws->request;
    c = r->connection;

    if (ev->timedout) {

        /* the close timer: mskanban_ws_close_timeout passed unanswered */

        ev->timedout = 0;

        ngx_log_error(NGX_LOG_INFO, c->log, 0,
                      "mskanban: websocket close handshake timed out");
        ngx_http_mskanban_ws_abort(ws);
        return;
    }

    if (ev->timer_set) {
        ngx_del_timer(ev);
    }

    ngx_http_mskanban_ws_leave(ws);

    if (c->write->timer_set) {
        ngx_del_timer(c->write);
    }

    if (c->read->timer_set) {
        ngx_del_timer(c->read);
    }

    if (ws->abort) {
        ngx_http_finalize_request(r, NGX_HTTP_CLOSE);

    } else {

        /* the close handshake is done: nginx closes, lingering */

        r->lingering_close = 1;
        ngx_http_finalize_request(r, NGX_DONE);
    }

    ngx_http_run_posted_requests(c);
}


/* the request is freed: leave the room, give back every frame */

static void
ngx_http_mskanban_ws_cleanup(void *data)
{
    ngx_http_mskanban_ws_t *ws = data;

    ngx_http_mskanban_ws_out_t  *o;

    if (ws->finish_ev.posted) {
        ngx_delete_posted_event(&ws->finish_ev);
    }

    ngx_http_mskanban_ws_leave(ws);

    for (o = ws->busy; o; o = o->next) {
        ngx_http_mskanban_ws_msg_release(o->msg);
    }

    ws->busy = NULL;
    ws->busy_last = &ws->busy;

    if (ws->finish_ev.timer_set) {
        ngx_del_timer(&ws->finish_ev);
    }

    ngx_http_mskanban_ws_msg_free(ws);

    if (ws->counted) {
        ws->counted = 0;
        ngx_http_mskanban_ws_stat(connections, -1);
    }

    ws->state = NGX_HTTP_MSKANBAN_WS_DONE;
}


/* a server frame in one buffer: header, then payload */

ngx_http_mskanban_ws_msg_t *
ngx_http_mskanban_ws_msg_create(ngx_uint_t opcode, u_char *data, size_t len,
    ngx_log_t *log)
{
    size_t                       hlen;
    u_char                       hdr[NGX_HTTP_MSKANBAN_WS_HEADER_MAX];
    ngx_http_mskanban_ws_msg_t  *msg;

    hlen = ngx_http_mskanban_ws_frame_header(hdr, opcode, len);

    msg = ngx_alloc(sizeof(ngx_http_mskanban_ws_msg_t) + hlen + len, log);
    if (msg == NULL) {
        return NULL;
    }

    msg->refs = 1;
    msg->len = hlen + len;
    msg->data = (u_char *) msg + sizeof(ngx_http_mskanban_ws_msg_t);

    ngx_memcpy(msg->data, hdr, hlen);

    if (len) {
        ngx_memcpy(msg->data + hlen, data, len);
    }

    return msg;
}


void
ngx_http_mskanban_ws_msg_release(ngx_http_mskanban_ws_msg_t *msg)
{
    if (--msg->refs == 0) {
        ngx_free(msg);
    }
}
