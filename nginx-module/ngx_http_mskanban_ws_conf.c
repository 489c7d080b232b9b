
/*
 * ngx_http_mskanban_ws_conf: the relay's directives, configuration and
 * process hooks (ngx_http_mskanban_ws_module). The handlers it installs
 * live in ngx_http_mskanban_ws_ticket.c (rewrite and access phases),
 * ngx_http_mskanban_ws.c (the content handler: the transport) and
 * ngx_http_mskanban_ws_status.c (mskanban_ws_status).
 */


#include "ngx_http_mskanban_ws.h"


static char *ngx_http_mskanban_ws(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_mskanban_ws_status(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_mskanban_ws_origin(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static ngx_int_t ngx_http_mskanban_ws_postconfiguration(ngx_conf_t *cf);
static void *ngx_http_mskanban_ws_create_main_conf(ngx_conf_t *cf);
static char *ngx_http_mskanban_ws_init_main_conf(ngx_conf_t *cf, void *conf);
static void *ngx_http_mskanban_ws_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_mskanban_ws_merge_loc_conf(ngx_conf_t *cf,
    void *parent, void *child);
static ngx_int_t ngx_http_mskanban_ws_init_process(ngx_cycle_t *cycle);
static void ngx_http_mskanban_ws_exit_process(ngx_cycle_t *cycle);


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



static ngx_str_t  ngx_http_mskanban_ws_zone_name =
    ngx_string("mskanban_ws_stats");


static char *
ngx_http_mskanban_ws(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_mskanban_ws_loc_conf_t *wlcf = conf;

    ngx_http_core_loc_conf_t          *clcf;
    ngx_http_mskanban_main_conf_t     *mcf;
    ngx_http_mskanban_ws_main_conf_t  *wmcf;

    if (wlcf->enable != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    wlcf->enable = 1;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_mskanban_ws_handler;

    wmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_mskanban_ws_module);
    wmcf->used = 1;

    /* the worker's Redis connections and timer (channel.c) are needed */
    mcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_mskanban_module);
    mcf->used = 1;

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
