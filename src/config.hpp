// Server configuration: one `key = value` file (mskanban.conf) plus environment
// overrides (MSKANBAN_<KEY>, dots as underscores), validated as a whole at start so that a
// bad value is reported with the key that holds it. conf/mskanban.conf.example documents
// every key.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "error.hpp"

namespace msk {

struct RateLimitRule {
    long limit = 0;
    long window_s = 60;
};

struct Argon2Params {
    unsigned memory_kib = 19456;
    unsigned iterations = 2;
    unsigned parallelism = 1;
};

struct Config {
    // FastCGI worker
    std::string listen;  // unix socket path or host:port; empty = socket inherited on fd 0
    int threads = 4;
    std::string base_path = "/api";
    size_t max_body_bytes = 1 << 20;
    std::string log_level = "info";
    // Stores
    std::string database_url = "dbname=mskanban";
    std::string redis_host = "127.0.0.1";
    int redis_port = 6379;
    int redis_timeout_ms = 500;
    std::string redis_password;  // AUTH on every connection when set (or in secrets_file)
    int redis_db = 0;            // SELECTed on every connection
    // Per PostgreSQL connection of a worker (0 = no limit): a statement or a lock wait
    // longer than this is cancelled and the request answers 503; a transaction left idle
    // this long (a stopped worker) is ended by the server, releasing its locks.
    long db_statement_timeout_ms = 5000;
    long db_lock_timeout_ms = 3000;
    long db_idle_in_transaction_timeout_ms = 10000;
    // Card list bodies kept per worker process, in bytes (src/body_cache.hpp; 0 = none).
    long list_cache_bytes = 16L << 20;
    // Sessions kept per worker process (src/session_cache.hpp; 0 = none, every request
    // checks its session in PostgreSQL). Every worker of a deployment must agree on 0.
    long session_cache_entries = 10000;
    // Tests only: enables the fault hooks in fcgi/dispatch.cpp (never in production).
    bool test_fault_injection = false;
    // Live updates without the nginx module: the longest a long-poll waits for a tick.
    long live_poll_wait_ms = 5000;
    // Board bounds (issue 11): the ciphertext bytes of one card template, and how many
    // card templates and custom fields one board may hold (beyond: 413 and 409).
    long card_template_max_bytes = 65536;
    long card_templates_per_board = 100;
    long custom_fields_per_board = 50;
    // Attachments (src/attachments.hpp). attachment_dir empty: uploads answer 503.
    // Uploads arrive as a file nginx wrote (client_body_temp_path, on the same filesystem
    // as attachment_dir: the worker renames it); downloads go out as `attachment_delivery`
    // ("x-accel-redirect" to attachment_accel_prefix + name, or "x-sendfile" with the
    // full path for Apache mod_xsendfile and lighttpd).
    std::string attachment_dir;
    long attachment_max_bytes = 25L << 20;               // per file (plaintext size)
    long attachment_workspace_quota_bytes = 1L << 30;    // stored bytes per workspace; 0 = none
    long attachment_min_free_bytes = 64L << 20;          // below this free space: 507
    std::string attachment_delivery = "x-accel-redirect";
    std::string attachment_accel_prefix = "/_mskanban/attachments/";
    // Webhooks and mskanban-jobs (docs/internals.md, "Webhooks"). The allow-list holds
    // CIDRs the address guard admits (src/netguard.hpp); the retry scale multiplies the
    // retry schedule (tests shrink it); the cap bounds the answer read from a receiver.
    std::vector<std::string> webhook_allow_networks;
    double webhook_retry_scale = 1.0;
    long webhook_timeout_ms = 10000;
    long webhook_max_response_bytes = 65536;
    long jobs_concurrency = 16;
    long jobs_gc_interval_s = 600;
    // Server secrets (raw 32-byte keys, decoded from hex)
    std::string secrets_file;
    std::string at_rest_key;
    std::string hash_key;
    // Browser-facing rules
    std::vector<std::string> allowed_origins;
    bool insecure_cookie_on_loopback = false;
    // WebAuthn (src/webauthn.hpp): the relying party id (empty: the host of the first
    // WebAuthn origin) and name, the exact origins a ceremony may come from (empty:
    // allowed_origins), "required" user verification (else "preferred" or
    // "discouraged", asked of the browser but not demanded), and the challenge lifetime.
    std::string webauthn_rp_id;
    std::string webauthn_rp_name = "MSKanban";
    std::vector<std::string> webauthn_origins;
    std::string webauthn_user_verification = "preferred";
    long webauthn_challenge_ttl_s = 120;
    // Accounts and sessions
    Argon2Params argon2;
    long session_idle_s = 1800;
    long session_absolute_s = 43200;
    long login_backoff_after = 3;
    long login_lock_failures = 10;
    long login_lock_window_s = 900;
    // Rate limits by group: login, register, mutation, read, lookup, upload
    std::map<std::string, RateLimitRule> rate_limits = {
        {"login", {10, 60}}, {"register", {5, 3600}}, {"mutation", {60, 60}},
        {"read", {600, 60}}, {"lookup", {30, 60}}, {"upload", {30, 60}}};
};

using EnvLookup = std::function<std::optional<std::string>(const std::string &name)>;

// Parses config text and applies environment overrides. Does not read the secrets file.
Result<Config> parse_config(const std::string &text, const EnvLookup &env);
// Reads the file (empty path: defaults only), then the secrets file, then validates.
Result<Config> load_config(const std::string &path);
// The environment as an EnvLookup.
EnvLookup process_env();
// Parses "10/60s", "5/1h", "600/1m" into a rule; nullopt on error.
std::optional<RateLimitRule> parse_rate_limit(const std::string &text);

}  // namespace msk
