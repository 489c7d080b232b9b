// Turns FastCGI requests into Requests, dispatches them and writes the responses.
#include "worker.hpp"

#include <fcgiapp.h>
#include <poll.h>

#include <cerrno>

#include <cstring>

#include "base64url.hpp"
#include "crypto.hpp"
#include "dispatch.hpp"
#include "housekeeping.hpp"
#include "log.hpp"
#include "timeutil.hpp"
#include "upload_spool.hpp"

namespace msk {

namespace {

std::string param(FCGX_Request &r, const char *name) {
    const char *v = FCGX_GetParam(name, r.envp);
    return v ? v : "";
}

// A request id from nginx ($request_id) when it looks like one, else a fresh one.
std::string request_id(FCGX_Request &r) {
    std::string id = param(r, "REQUEST_ID");
    bool ok = !id.empty() && id.size() <= 64;
    for (char c : id) ok = ok && (isalnum(static_cast<unsigned char>(c)) || c == '-');
    return ok ? id : hex_encode(random_bytes(16));
}

// Reads the body unless it is larger than the limit; returns false when too large.
bool read_body(FCGX_Request &r, size_t max, std::string &body) {
    std::string len_s = param(r, "CONTENT_LENGTH");
    size_t len = len_s.empty() ? 0 : std::strtoull(len_s.c_str(), nullptr, 10);
    if (len > max) return false;
    body.resize(len);
    size_t got = 0;
    while (got < len) {
        int n = FCGX_GetStr(&body[got], static_cast<int>(len - got), r.in);
        if (n <= 0) break;
        got += static_cast<size_t>(n);
    }
    body.resize(got);
    return true;
}

Request build_request(FCGX_Request &r, const Config &cfg, bool &ok_path) {
    Request req;
    req.method = param(r, "REQUEST_METHOD");
    std::string uri = param(r, "REQUEST_URI");
    std::string path = uri.substr(0, uri.find('?'));
    ok_path = path == cfg.base_path || path.compare(0, cfg.base_path.size() + 1, cfg.base_path + "/") == 0;
    req.path = ok_path ? path.substr(cfg.base_path.size()) : path;
    req.query = param(r, "QUERY_STRING");
    req.remote_addr = param(r, "REMOTE_ADDR");
    req.internal = param(r, "MSKANBAN_INTERNAL") == "1";
    req.request_id = request_id(r);
    for (char **e = r.envp; e && *e; e++) {
        if (strncmp(*e, "HTTP_", 5) != 0) continue;
        const char *eq = strchr(*e, '=');
        if (!eq) continue;
        std::string name(*e + 5, static_cast<size_t>(eq - (*e + 5)));
        for (auto &c : name) c = c == '_' ? '-' : static_cast<char>(tolower(static_cast<unsigned char>(c)));
        req.headers[name] = eq + 1;
    }
    std::string ct = param(r, "CONTENT_TYPE");
    if (!ct.empty()) req.headers["content-type"] = ct;
    return req;
}

void write_response(FCGX_Request &r, const Request &req, const Response &res) {
    std::string head = "Status: " + std::to_string(res.status) + " " + status_text(res.status) + "\r\n";
    bool has_type = false, has_etag = false;
    for (const auto &h : res.headers) {
        head += h.first + ": " + h.second + "\r\n";
        if (strcasecmp(h.first.c_str(), "Content-Type") == 0) has_type = true;
        if (strcasecmp(h.first.c_str(), "ETag") == 0) has_etag = true;
    }
    if (!has_type && (!res.body.empty() || res.stream)) head += "Content-Type: application/json\r\n";
    // A list with an ETag may be kept by the user's own client, which must revalidate it
    // (If-None-Match) before each use; everything else is never stored.
    head += has_etag ? "Cache-Control: private, no-cache\r\n" : "Cache-Control: no-store\r\n";
    head += "X-Content-Type-Options: nosniff\r\nX-Request-Id: " +
            req.request_id + "\r\n\r\n";
    FCGX_PutStr(head.data(), static_cast<int>(head.size()), r.out);
    if (req.method == "HEAD") return;
    if (res.stream) {
        res.stream([&r](const std::string &piece) {
            return FCGX_PutStr(piece.data(), static_cast<int>(piece.size()), r.out) >= 0;
        });
    } else if (!res.body.empty()) {
        FCGX_PutStr(res.body.data(), static_cast<int>(res.body.size()), r.out);
    }
}

// Per-connection limits (mskanban.conf db_*_timeout_ms): a stuck statement or lock wait
// answers 503 instead of holding the worker, and a transaction left open by a stopped
// worker is ended by the server, releasing its locks. Every statement is prepared once
// per connection and takes a generic plan from its first execution: with the default
// (five custom plans, then a generic one only if it looks no worse), the card list and
// the session-joined statements kept a custom plan and were planned again on every
// request, 1-4 ms each on the benchmark board (docs/internals.md, "Where the time goes").
// Statements whose generic plan would be poor are written apart (src/queries/activity.sql).
std::string db_session_sql(const Config &cfg) {
    return "SET plan_cache_mode = force_generic_plan"
           "; SET statement_timeout = " + std::to_string(cfg.db_statement_timeout_ms) +
           "; SET lock_timeout = " + std::to_string(cfg.db_lock_timeout_ms) +
           "; SET idle_in_transaction_session_timeout = " + std::to_string(cfg.db_idle_in_transaction_timeout_ms);
}

}  // namespace

void worker_loop(const Config &cfg, int listen_fd, int wake_fd, const std::atomic<bool> &stopping) {
    Db db(cfg.database_url, db_session_sql(cfg));
    Redis redis(cfg.redis_host, cfg.redis_port, cfg.redis_timeout_ms, cfg.redis_password, cfg.redis_db);
    Services svc{cfg, db, redis};
    FCGX_Request r;
    FCGX_InitRequest(&r, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR);
    // Spread the threads' first clean-up over the interval.
    std::string r4 = random_bytes(4);
    uint32_t jitter = 0;
    for (char c : r4) jitter = jitter << 8 | static_cast<unsigned char>(c);
    int64_t next_housekeeping = now_ms() + static_cast<int64_t>(jitter % kHousekeepingIntervalMs);
    while (!stopping) {
        struct pollfd fds[2] = {{listen_fd, POLLIN, 0}, {wake_fd, POLLIN, 0}};
        if (poll(fds, 2, -1) < 0 && errno != EINTR) break;
        if (stopping || fds[1].revents) break;
        if (!(fds[0].revents & POLLIN)) continue;
        int rc = FCGX_Accept_r(&r);
        if (rc < 0) {
            // Another thread or process took the connection first.
            if (rc == -EAGAIN || rc == -EWOULDBLOCK || rc == -EINTR) continue;
            log_error("accept failed: " + std::to_string(rc));
            break;
        }
        bool ok_path = false;
        Request req = build_request(r, cfg, ok_path);
        set_log_request_id(req.request_id);
        Response res;
        // An upload arrives as a file nginx wrote (its body is not passed on); without
        // one, an upload route spools stdin to disk, any other reads it into memory.
        req.body_file = param(r, "MSKANBAN_BODY_FILE");
        UploadSpool spool;
        SpoolResult spooled = req.body_file.empty() ? spool_upload(r, cfg, req, spool) : SpoolResult::ok;
        bool too_large = spooled == SpoolResult::too_large;
        if (spooled == SpoolResult::none) too_large = !read_body(r, cfg.max_body_bytes, req.body);
        if (!ok_path) res = error_response(not_found("no such route"));
        else if (spooled == SpoolResult::no_space)
            res = error_response(Error{507, "INSUFFICIENT_STORAGE", "the server has no room for this file; try again later", {}});
        else res = dispatch(svc, req, too_large);
        write_response(r, req, res);
        FCGX_Finish_r(&r);
        set_log_request_id("");
        housekeeping_tick(db, cfg, now_ms(), next_housekeeping);
    }
    FCGX_Free(&r, 0);
}

}  // namespace msk
