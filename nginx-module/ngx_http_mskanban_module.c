
/*
 * ngx_http_mskanban_module: directives, configuration and process hooks.
 *
 * "mskanban_live" turns a location into the live board stream; the other
 * directives tune it and name the Redis server the C++ core publishes to.
 * Each worker opens its own Redis connections in init_process and closes
 * them in exit_process; the master process never talks to Redis.
 */


#include "ngx_http_mskanban_module.h"


static char *ngx_http_mskanban_live(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static ngx_int_t ngx_http_mskanban_postconfiguration(ngx_conf_t *cf);
static void *ngx_http_mskanban_create_main_conf(ngx_conf_t *cf);
static char *ngx_http_mskanban_init_main_conf(ngx_conf_t *cf, void *conf);
static void *ngx_http_mskanban_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_mskanban_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);
static ngx_int_t ngx_http_mskanban_init_process(ngx_cycle_t *cycle);
static void ngx_http_mskanban_exit_process(ngx_cycle_t *cycle);


/*
 * The Redis directives and mskanban_max_subscribers set one value for the
 * whole http block; they are also accepted in a server block so that a
 * snippet included there is self-contained.
 */

static ngx_conf_num_bounds_t  ngx_http_mskanban_port_bounds = {
    ngx_conf_check_num_bounds, 1, 65535
};

static ngx_conf_num_bounds_t  ngx_http_mskanban_db_bounds = {
    ngx_conf_check_num_bounds, 0, 65535
};

static ngx_conf_num_bounds_t  ngx_http_mskanban_slice_bounds = {
    ngx_conf_check_num_bounds, 1, 1000000
};


static ngx_command_t  ngx_http_mskanban_commands[] = {

    { ngx_string("mskanban_live"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_mskanban_live,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("mskanban_live_authz_uri"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_mskanban_loc_conf_t, authz_uri),
      NULL },

    { ngx_string("mskanban_heartbeat_interval"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_mskanban_loc_conf_t, heartbeat),
      NULL },

    { ngx_string("mskanban_retry"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_mskanban_loc_conf_t, retry),
      NULL },

    { ngx_string("mskanban_live_max_duration"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_mskanban_loc_conf_t, max_duration),
      NULL },

    { ngx_string("mskanban_send_buffer"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_mskanban_loc_conf_t, send_buffer),
      NULL },

    { ngx_string("mskanban_max_subscribers"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_mskanban_main_conf_t, max_subscribers),
      NULL },

    { ngx_string("mskanban_redis_host"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_mskanban_main_conf_t, host),
      NULL },

    { ngx_string("mskanban_redis_port"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_mskanban_main_conf_t, port),
      &ngx_http_mskanban_port_bounds },

    { ngx_string("mskanban_redis_password"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_mskanban_main_conf_t, password),
      NULL },

    { ngx_string("mskanban_redis_db"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_mskanban_main_conf_t, db),
      &ngx_http_mskanban_db_bounds },

    { ngx_string("mskanban_redis_connect_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_mskanban_main_conf_t, connect_timeout),
      NULL },

    { ngx_string("mskanban_redis_ping_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_mskanban_main_conf_t, ping_timeout),
      NULL },

    { ngx_string("mskanban_delivery_slice"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_mskanban_main_conf_t, delivery_slice),
      &ngx_http_mskanban_slice_bounds },

    { ngx_string("mskanban_redis_loss_recheck"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_mskanban_main_conf_t, loss_recheck),
      NULL },

    { ngx_string("mskanban_redis_reconnect_max"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_mskanban_main_conf_t, reconnect_max),
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_mskanban_module_ctx = {
    NULL,                                  /* preconfiguration */
    ngx_http_mskanban_postconfiguration,   /* postconfiguration */

    ngx_http_mskanban_create_main_conf,    /* create main configuration */
    ngx_http_mskanban_init_main_conf,      /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_http_mskanban_create_loc_conf,     /* create location configuration */
    ngx_http_mskanban_merge_loc_conf       /* merge location configuration */
};


ngx_module_t  ngx_http_mskanban_module = {
    NGX_MODULE_V1,
    &ngx_http_mskanban_module_ctx,         /* module context */
    ngx_http_mskanban_commands,            /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    ngx_http_mskanban_init_process,        /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    ngx_http_mskanban_exit_process,        /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static char *
ngx_http_mskanban_live(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_mskanban_loc_conf_t *mlcf = conf;

    ngx_http_core_loc_conf_t       *clcf;
    ngx_http_mskanban_main_conf_t  *mcf;

    if (mlcf->live != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    mlcf->live = 1;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_mskanban_sse_handler;

    mcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_mskanban_module);
    mcf->used = 1;

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_mskanban_postconfiguration(ngx_conf_t *cf)
{
    ngx_str_t                       name;
    ngx_http_handler_pt            *h;
    ngx_http_core_main_conf_t      *cmcf;
    ngx_http_mskanban_main_conf_t  *mcf;

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);
    mcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_mskanban_module);

    /* see ngx_http_mskanban_authz.c: the subrequest has its own $request_uri */

    ngx_str_set(&name, "request_uri");

    mcf->request_uri_index = ngx_http_get_variable_index(cf, &name);
    if (mcf->request_uri_index == NGX_ERROR) {
        return NGX_ERROR;
    }

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_ACCESS_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_mskanban_authz_handler;

    return NGX_OK;
}


static void *
ngx_http_mskanban_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_mskanban_main_conf_t  *mcf;

    mcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_mskanban_main_conf_t));
    if (mcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     mcf->host = { 0, NULL };
     *     mcf->password = { 0, NULL };
     *     mcf->addr = NULL;
     *     mcf->unix_socket = 0;
     *     mcf->used = 0;
     */

    mcf->port = NGX_CONF_UNSET_UINT;
    mcf->db = NGX_CONF_UNSET;
    mcf->connect_timeout = NGX_CONF_UNSET_MSEC;
    mcf->reconnect_max = NGX_CONF_UNSET_MSEC;
    mcf->ping_timeout = NGX_CONF_UNSET_MSEC;
    mcf->loss_recheck = NGX_CONF_UNSET_MSEC;
    mcf->delivery_slice = NGX_CONF_UNSET_UINT;
    mcf->max_subscribers = NGX_CONF_UNSET_UINT;

    return mcf;
}


static char *
ngx_http_mskanban_init_main_conf(ngx_conf_t *cf, void *conf)
{
    ngx_http_mskanban_main_conf_t *mcf = conf;

    size_t     len;
    u_char    *p;
    ngx_url_t  u;

    ngx_conf_init_uint_value(mcf->port, 6379);
    ngx_conf_init_value(mcf->db, 0);
    ngx_conf_init_msec_value(mcf->connect_timeout, 3000);
    ngx_conf_init_msec_value(mcf->reconnect_max, 5000);
    ngx_conf_init_msec_value(mcf->ping_timeout, 5000);
    ngx_conf_init_msec_value(mcf->loss_recheck, 300000);
    ngx_conf_init_uint_value(mcf->delivery_slice, 1024);
    ngx_conf_init_uint_value(mcf->max_subscribers, 10000);

    if (mcf->host.data == NULL) {
        ngx_str_set(&mcf->host, "127.0.0.1");
    }

    if (mcf->host.len > 5
        && ngx_strncmp(mcf->host.data, "unix:", 5) == 0)
    {
        mcf->unix_socket = 1;
        p = mcf->host.data + 5;
        len = mcf->host.len - 5;

    } else {

        /* resolve now: hiredis would resolve blocking in the worker */

        ngx_memzero(&u, sizeof(ngx_url_t));

        u.url = mcf->host;
        u.default_port = (in_port_t) mcf->port;

        if (ngx_parse_url(cf->pool, &u) != NGX_OK || u.naddrs == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid mskanban_redis_host \"%V\"%s%s",
                               &mcf->host, u.err ? ": " : "",
                               u.err ? u.err : "");
            return NGX_CONF_ERROR;
        }

        p = ngx_pnalloc(cf->pool, NGX_SOCKADDR_STRLEN);
        if (p == NULL) {
            return NGX_CONF_ERROR;
        }

        len = ngx_sock_ntop(u.addrs[0].sockaddr, u.addrs[0].socklen, p,
                            NGX_SOCKADDR_STRLEN, 0);

        if (len > 2 && p[0] == '[') {
            p++;
            len -= 2;
        }
    }

    mcf->addr = ngx_pnalloc(cf->pool, len + 1);
    if (mcf->addr == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_cpystrn(mcf->addr, p, len + 1);

    return NGX_CONF_OK;
}


static void *
ngx_http_mskanban_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_mskanban_loc_conf_t  *conf;

    conf = ngx_pcalloc(cf->pool, sizeof(ngx_http_mskanban_loc_conf_t));
    if (conf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     conf->authz_uri = { 0, NULL };
     */

    conf->live = NGX_CONF_UNSET;
    conf->heartbeat = NGX_CONF_UNSET_MSEC;
    conf->retry = NGX_CONF_UNSET_MSEC;
    conf->max_duration = NGX_CONF_UNSET_MSEC;
    conf->send_buffer = NGX_CONF_UNSET_SIZE;

    return conf;
}


static char *
ngx_http_mskanban_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_mskanban_loc_conf_t *prev = parent;
    ngx_http_mskanban_loc_conf_t *conf = child;

    /* "mskanban_live" is not inherited: it belongs to one location */

    if (conf->live == NGX_CONF_UNSET) {
        conf->live = 0;
    }

    ngx_conf_merge_str_value(conf->authz_uri, prev->authz_uri,
                             "/api/internal/authz/board/");
    ngx_conf_merge_msec_value(conf->heartbeat, prev->heartbeat, 15000);
    ngx_conf_merge_msec_value(conf->retry, prev->retry, 3000);
    ngx_conf_merge_msec_value(conf->max_duration, prev->max_duration,
                              3600000);
    ngx_conf_merge_size_value(conf->send_buffer, prev->send_buffer,
                              64 * 1024);

    if (conf->authz_uri.len == 0 || conf->authz_uri.data[0] != '/') {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid mskanban_live_authz_uri \"%V\"",
                           &conf->authz_uri);
        return NGX_CONF_ERROR;
    }

    if (conf->heartbeat < 1000) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "mskanban_heartbeat_interval must be at least 1s");
        return NGX_CONF_ERROR;
    }

    if (conf->send_buffer < 1024) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "mskanban_send_buffer must be at least 1k");
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_mskanban_init_process(ngx_cycle_t *cycle)
{
    ngx_http_mskanban_main_conf_t  *mcf;

    if (ngx_process != NGX_PROCESS_WORKER
        && ngx_process != NGX_PROCESS_SINGLE)
    {
        return NGX_OK;
    }

    mcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_http_mskanban_module);

    if (mcf == NULL || !mcf->used) {
        return NGX_OK;
    }

    return ngx_http_mskanban_channel_init(cycle, mcf);
}


static void
ngx_http_mskanban_exit_process(ngx_cycle_t *cycle)
{
    ngx_http_mskanban_channel_exit(cycle);
}
