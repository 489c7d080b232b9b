// Config parsing and validation. Every key is declared once in the table below with the
// function that checks and stores it, so unknown keys and bad values name themselves.
#include "config.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "base64url.hpp"
#include "netguard.hpp"

namespace msk {

namespace {

std::string trim(const std::string &s) {
    size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
    return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::optional<long> parse_long(const std::string &v, long lo, long hi) {
    if (v.empty()) return std::nullopt;
    char *end = nullptr;
    errno = 0;
    long n = std::strtol(v.c_str(), &end, 10);
    if (errno || *end || n < lo || n > hi) return std::nullopt;
    return n;
}

std::optional<long> parse_duration_s(const std::string &v) {
    if (v.empty()) return std::nullopt;
    long mult = 1;
    std::string num = v;
    switch (v.back()) {
        case 's': num.pop_back(); break;
        case 'm': mult = 60; num.pop_back(); break;
        case 'h': mult = 3600; num.pop_back(); break;
        case 'd': mult = 86400; num.pop_back(); break;
        default: break;
    }
    auto n = parse_long(num, 1, 366L * 86400);
    if (!n) return std::nullopt;
    return *n * mult;
}

std::optional<bool> parse_bool(const std::string &v) {
    if (v == "true" || v == "yes" || v == "on" || v == "1") return true;
    if (v == "false" || v == "no" || v == "off" || v == "0") return false;
    return std::nullopt;
}

std::optional<std::string> parse_key32(const std::string &v) {
    auto k = hex_decode(v);
    if (!k || k->size() != 32) return std::nullopt;
    return k;
}

// A setter returns "" when it stored the value, otherwise what a valid value looks like.
using Setter = std::function<std::string(Config &, const std::string &)>;

Setter int_key(long Config::*field, long lo, long hi) {
    return [=](Config &c, const std::string &v) -> std::string {
        auto n = parse_long(v, lo, hi);
        if (!n) return "an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
        c.*field = *n;
        return "";
    };
}

Setter duration_key(long Config::*field) {
    return [=](Config &c, const std::string &v) -> std::string {
        auto n = parse_duration_s(v);
        if (!n) return "a duration such as 90s, 30m or 12h";
        c.*field = *n;
        return "";
    };
}

Setter string_key(std::string Config::*field, bool allow_empty = false) {
    return [=](Config &c, const std::string &v) -> std::string {
        if (v.empty() && !allow_empty) return "a non-empty string";
        c.*field = v;
        return "";
    };
}

Setter key32_key(std::string Config::*field) {
    return [=](Config &c, const std::string &v) -> std::string {
        auto k = parse_key32(v);
        if (!k) return "64 hex digits (32 bytes)";
        c.*field = *k;
        return "";
    };
}

// A comma-separated list of http(s) origins, each without a trailing slash.
Setter origins_key(std::vector<std::string> Config::*field) {
    return [=](Config &c, const std::string &v) -> std::string {
        (c.*field).clear();
        std::stringstream ss(v);
        std::string item;
        while (std::getline(ss, item, ',')) {
            item = trim(item);
            if (item.empty()) continue;
            if (item.rfind("http://", 0) != 0 && item.rfind("https://", 0) != 0)
                return "a comma-separated list of origins such as https://kanban.example.org";
            if (item.back() == '/') item.pop_back();
            (c.*field).push_back(item);
        }
        return "";
    };
}

const std::map<std::string, Setter> &setters() {
    static const std::map<std::string, Setter> table = [] {
        std::map<std::string, Setter> t;
        t["listen"] = string_key(&Config::listen, true);
        t["threads"] = [](Config &c, const std::string &v) -> std::string {
            auto n = parse_long(v, 1, 256);
            if (!n) return "an integer from 1 to 256";
            c.threads = static_cast<int>(*n);
            return "";
        };
        t["base_path"] = [](Config &c, const std::string &v) -> std::string {
            if (!v.empty() && (v[0] != '/' || v.back() == '/')) return "a path such as /api (no trailing slash), or empty";
            c.base_path = v;
            return "";
        };
        t["max_body_bytes"] = [](Config &c, const std::string &v) -> std::string {
            auto n = parse_long(v, 1024, 64L << 20);
            if (!n) return "an integer from 1024 to 67108864";
            c.max_body_bytes = static_cast<size_t>(*n);
            return "";
        };
        t["log_level"] = [](Config &c, const std::string &v) -> std::string {
            if (v != "debug" && v != "info" && v != "warn" && v != "error") return "one of debug, info, warn, error";
            c.log_level = v;
            return "";
        };
        t["database_url"] = string_key(&Config::database_url);
        t["redis_host"] = string_key(&Config::redis_host);
        t["redis_port"] = [](Config &c, const std::string &v) -> std::string {
            auto n = parse_long(v, 1, 65535);
            if (!n) return "a port from 1 to 65535";
            c.redis_port = static_cast<int>(*n);
            return "";
        };
        t["redis_timeout_ms"] = [](Config &c, const std::string &v) -> std::string {
            auto n = parse_long(v, 10, 60000);
            if (!n) return "an integer from 10 to 60000";
            c.redis_timeout_ms = static_cast<int>(*n);
            return "";
        };
        t["live_poll_wait_ms"] = int_key(&Config::live_poll_wait_ms, 0, 25000);
        t["card_template_max_bytes"] = int_key(&Config::card_template_max_bytes, 64, 1048576);
        t["card_templates_per_board"] = int_key(&Config::card_templates_per_board, 0, 10000);
        t["custom_fields_per_board"] = int_key(&Config::custom_fields_per_board, 0, 1000);
        t["attachment_dir"] = [](Config &c, const std::string &v) -> std::string {
            if (!v.empty() && (v[0] != '/' || v.back() == '/')) return "an absolute directory path (no trailing slash), or empty";
            c.attachment_dir = v;
            return "";
        };
        t["attachment_max_bytes"] = int_key(&Config::attachment_max_bytes, 1, 1L << 30);
        t["attachment_workspace_quota_bytes"] = int_key(&Config::attachment_workspace_quota_bytes, 0, 1L << 50);
        t["attachment_min_free_bytes"] = int_key(&Config::attachment_min_free_bytes, 0, 1L << 50);
        t["attachment_delivery"] = [](Config &c, const std::string &v) -> std::string {
            if (v != "x-accel-redirect" && v != "x-sendfile") return "x-accel-redirect or x-sendfile";
            c.attachment_delivery = v;
            return "";
        };
        t["attachment_accel_prefix"] = [](Config &c, const std::string &v) -> std::string {
            if (v.empty() || v[0] != '/' || v.back() != '/') return "a URI prefix such as /_mskanban/attachments/";
            c.attachment_accel_prefix = v;
            return "";
        };
        t["db_statement_timeout_ms"] = int_key(&Config::db_statement_timeout_ms, 0, 3600000);
        t["db_lock_timeout_ms"] = int_key(&Config::db_lock_timeout_ms, 0, 3600000);
        t["db_idle_in_transaction_timeout_ms"] = int_key(&Config::db_idle_in_transaction_timeout_ms, 0, 3600000);
        t["list_cache_bytes"] = int_key(&Config::list_cache_bytes, 0, 1L << 40);
        t["session_cache_entries"] = int_key(&Config::session_cache_entries, 0, 10000000);
        t["test_fault_injection"] = [](Config &c, const std::string &v) -> std::string {
            auto b = parse_bool(v);
            if (!b) return "true or false";
            c.test_fault_injection = *b;
            return "";
        };
        t["webhook_allow_networks"] = [](Config &c, const std::string &v) -> std::string {
            c.webhook_allow_networks.clear();
            std::stringstream ss(v);
            std::string item;
            while (std::getline(ss, item, ',')) {
                item = trim(item);
                if (item.empty()) continue;
                if (!parse_cidr(item)) return "a comma-separated list of networks such as 10.0.0.0/8, fd00::/8";
                c.webhook_allow_networks.push_back(item);
            }
            return "";
        };
        t["webhook_retry_scale"] = [](Config &c, const std::string &v) -> std::string {
            char *end = nullptr;
            double d = std::strtod(v.c_str(), &end);
            if (v.empty() || *end || !(d > 0 && d <= 1)) return "a number greater than 0, at most 1";
            c.webhook_retry_scale = d;
            return "";
        };
        t["webhook_timeout_ms"] = int_key(&Config::webhook_timeout_ms, 100, 60000);
        t["webhook_max_response_bytes"] = int_key(&Config::webhook_max_response_bytes, 1024, 16L << 20);
        t["jobs_concurrency"] = int_key(&Config::jobs_concurrency, 1, 1000);
        t["jobs_gc_interval"] = duration_key(&Config::jobs_gc_interval_s);
        t["redis_password"] = string_key(&Config::redis_password);
        t["redis_db"] = [](Config &c, const std::string &v) -> std::string {
            auto n = parse_long(v, 0, 1000000);
            if (!n) return "a database number from 0";
            c.redis_db = static_cast<int>(*n);
            return "";
        };
        t["secrets_file"] = string_key(&Config::secrets_file, true);
        t["at_rest_key"] = key32_key(&Config::at_rest_key);
        t["hash_key"] = key32_key(&Config::hash_key);
        t["allowed_origins"] = origins_key(&Config::allowed_origins);
        t["webauthn_rp_id"] = string_key(&Config::webauthn_rp_id, true);
        t["webauthn_rp_name"] = string_key(&Config::webauthn_rp_name);
        t["webauthn_origins"] = origins_key(&Config::webauthn_origins);
        t["webauthn_user_verification"] = [](Config &c, const std::string &v) -> std::string {
            if (v != "required" && v != "preferred" && v != "discouraged") return "required, preferred or discouraged";
            c.webauthn_user_verification = v;
            return "";
        };
        t["webauthn_challenge_ttl"] = duration_key(&Config::webauthn_challenge_ttl_s);
        t["insecure_cookie_on_loopback"] = [](Config &c, const std::string &v) -> std::string {
            auto b = parse_bool(v);
            if (!b) return "true or false";
            c.insecure_cookie_on_loopback = *b;
            return "";
        };
        t["argon2_memory_kib"] = [](Config &c, const std::string &v) -> std::string {
            auto n = parse_long(v, 8192, 4L << 20);
            if (!n) return "an integer from 8192 to 4194304";
            c.argon2.memory_kib = static_cast<unsigned>(*n);
            return "";
        };
        t["argon2_iterations"] = [](Config &c, const std::string &v) -> std::string {
            auto n = parse_long(v, 1, 64);
            if (!n) return "an integer from 1 to 64";
            c.argon2.iterations = static_cast<unsigned>(*n);
            return "";
        };
        t["argon2_parallelism"] = [](Config &c, const std::string &v) -> std::string {
            auto n = parse_long(v, 1, 64);
            if (!n) return "an integer from 1 to 64";
            c.argon2.parallelism = static_cast<unsigned>(*n);
            return "";
        };
        t["session_idle_timeout"] = duration_key(&Config::session_idle_s);
        t["session_absolute_timeout"] = duration_key(&Config::session_absolute_s);
        t["login_backoff_after"] = int_key(&Config::login_backoff_after, 1, 1000);
        t["login_lock_failures"] = int_key(&Config::login_lock_failures, 1, 1000);
        t["login_lock_window"] = duration_key(&Config::login_lock_window_s);
        for (const char *group : {"login", "register", "mutation", "read", "lookup", "upload"}) {
            std::string name = group;
            t["rate_limit." + name] = [name](Config &c, const std::string &v) -> std::string {
                auto r = parse_rate_limit(v);
                if (!r) return "a limit and window such as 10/1m or 5/1h";
                c.rate_limits[name] = *r;
                return "";
            };
        }
        return t;
    }();
    return table;
}

std::string env_name(const std::string &key) {
    std::string n = "MSKANBAN_";
    for (char ch : key) n += (ch == '.') ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return n;
}

Status apply(Config &c, const std::string &key, const std::string &value, const std::string &where) {
    auto it = setters().find(key);
    if (it == setters().end()) return bad_request(where + ": unknown key \"" + key + "\"");
    std::string want = it->second(c, value);
    if (!want.empty())
        return bad_request(where + ": invalid value for \"" + key + "\": expected " + want);
    return ok_status();
}

Status parse_lines(Config &c, const std::string &text, const std::string &origin,
                   const std::function<bool(const std::string &)> &allowed) {
    std::istringstream in(text);
    std::string line;
    int lineno = 0;
    while (std::getline(in, line)) {
        lineno++;
        std::string t = trim(line);
        if (t.empty() || t[0] == '#') continue;
        size_t eq = t.find('=');
        std::string where = origin + ":" + std::to_string(lineno);
        if (eq == std::string::npos) return bad_request(where + ": expected key = value");
        std::string key = trim(t.substr(0, eq)), value = trim(t.substr(eq + 1));
        if (!allowed(key)) return bad_request(where + ": key \"" + key + "\" is not allowed here");
        auto st = apply(c, key, value, where);
        if (!st) return st;
    }
    return ok_status();
}

bool read_file(const std::string &path, std::string &out) {
    std::ifstream f(path, std::ios::binary);
    if (!f) return false;
    std::stringstream ss;
    ss << f.rdbuf();
    out = ss.str();
    return true;
}

}  // namespace

std::optional<RateLimitRule> parse_rate_limit(const std::string &text) {
    size_t slash = text.find('/');
    if (slash == std::string::npos) return std::nullopt;
    auto n = parse_long(trim(text.substr(0, slash)), 1, 1000000000);
    auto w = parse_duration_s(trim(text.substr(slash + 1)));
    if (!n || !w) return std::nullopt;
    return RateLimitRule{*n, *w};
}

Result<Config> parse_config(const std::string &text, const EnvLookup &env) {
    Config c;
    auto st = parse_lines(c, text, "mskanban.conf", [](const std::string &) { return true; });
    if (!st) return st.error();
    for (const auto &kv : setters()) {
        auto v = env(env_name(kv.first));
        if (!v) continue;
        auto s = apply(c, kv.first, *v, "environment " + env_name(kv.first));
        if (!s) return s.error();
    }
    return c;
}

EnvLookup process_env() {
    return [](const std::string &name) -> std::optional<std::string> {
        const char *v = std::getenv(name.c_str());
        if (!v) return std::nullopt;
        return std::string(v);
    };
}

Result<Config> load_config(const std::string &path) {
    std::string text;
    if (!path.empty() && !read_file(path, text)) return bad_request(path + ": cannot read the config file");
    auto parsed = parse_config(text, process_env());
    if (!parsed) {
        Error e = parsed.error();
        if (!path.empty()) {
            auto p = e.message.find("mskanban.conf");
            if (p == 0) e.message.replace(0, 13, path);
        }
        return e;
    }
    Config c = *parsed;
    if (!c.secrets_file.empty() && (c.at_rest_key.empty() || c.hash_key.empty() || c.redis_password.empty())) {
        std::string secrets;
        if (!read_file(c.secrets_file, secrets))
            return bad_request("secrets_file: cannot read " + c.secrets_file);
        Config s;
        auto st = parse_lines(s, secrets, c.secrets_file, [](const std::string &k) {
            return k == "at_rest_key" || k == "hash_key" || k == "redis_password";
        });
        if (!st) return st.error();
        if (c.at_rest_key.empty()) c.at_rest_key = s.at_rest_key;
        if (c.hash_key.empty()) c.hash_key = s.hash_key;
        if (c.redis_password.empty()) c.redis_password = s.redis_password;
    }
    if (c.at_rest_key.empty()) return bad_request("at_rest_key: not set (set secrets_file or at_rest_key)");
    if (c.hash_key.empty()) return bad_request("hash_key: not set (set secrets_file or hash_key)");
    if (c.at_rest_key == c.hash_key) return bad_request("hash_key: must differ from at_rest_key");
    return c;
}

}  // namespace msk
