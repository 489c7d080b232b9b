// Request pipeline and error mapping.
#include "dispatch.hpp"

#include <sys/stat.h>

#include <chrono>
#include <csignal>

#include "accounts.hpp"
#include "idempotency.hpp"
#include "log.hpp"
#include "ratelimit.hpp"
#include "session_cache.hpp"
#include "timeutil.hpp"

namespace msk {

namespace {

bool is_mutation(const std::string &method) { return method != "GET" && method != "HEAD"; }

std::string media_type(const std::string &ct) {
    std::string base = ct.substr(0, ct.find(';'));
    while (!base.empty() && base.back() == ' ') base.pop_back();
    for (auto &c : base) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
    return base;
}
bool is_json_type(const std::string &ct) { return media_type(ct) == "application/json"; }

// Mutations must be JSON (a cross-site form cannot send that without a preflight) and,
// when the browser says where it came from, come from an allowed origin. An upload
// route takes application/octet-stream instead (no form can send that either).
Status check_csrf(const Config &cfg, const Request &req, bool upload) {
    bool needs_type = req.method != "DELETE" || !req.body.empty();
    if (upload && media_type(req.header("content-type")) != "application/octet-stream")
        return Error{415, "UNSUPPORTED_MEDIA_TYPE", "uploads require Content-Type: application/octet-stream", {}};
    if (needs_type && !upload && !is_json_type(req.header("content-type")))
        return Error{415, "UNSUPPORTED_MEDIA_TYPE", "mutations require Content-Type: application/json", {}};
    std::string origin = req.header("origin");
    if (!origin.empty()) {
        for (const auto &o : cfg.allowed_origins)
            if (o == origin) return ok_status();
        return forbidden("origin not allowed");
    }
    return ok_status();
}

// Groups that protect credentials fail closed without Redis; the generic per-user limits
// fail open (the request is served and a warning logged).
bool fails_closed(const std::string &group) { return group == "login" || group == "register" || group == "lookup"; }

Status check_rate_limit(Ctx &ctx, const std::string &group) {
    const Config &cfg = ctx.svc.cfg;
    auto rule = cfg.rate_limits.find(group);
    if (rule == cfg.rate_limits.end()) return ok_status();
    std::string subject = ctx.auth ? "u:" + ctx.auth->user_id : "ip:" + keyed_hash(cfg, "ip", ctx.req.remote_addr);
    // The credential groups are counted exactly; the per-user ones may lease (ratelimit.hpp).
    RateDecision d = rate_check(ctx.svc.redis, group, subject, rule->second, now_ms(), !fails_closed(group));
    if (d.redis_down) {
        if (fails_closed(group)) return unavailable("rate limiting is unavailable; try again shortly");
        log_warn("rate limit " + group + " not enforced: redis down");
        return ok_status();
    }
    if (!d.allowed) return rate_limited_error(d);
    ctx.extra_headers.push_back({"RateLimit-Limit", std::to_string(d.limit)});
    ctx.extra_headers.push_back({"RateLimit-Remaining", std::to_string(d.remaining)});
    ctx.extra_headers.push_back({"RateLimit-Reset", std::to_string(d.reset_s)});
    return ok_status();
}

// Does an Idempotency-Key apply? Every mutation of a signed-in user (POST, PATCH, PUT,
// DELETE), unless the route's response must never be stored (Route::replay).
bool uses_idempotency_key(const Ctx &ctx, const Route &route) {
    return ctx.auth && is_mutation(ctx.req.method) && route.replay == Replay::store &&
           !ctx.req.header("idempotency-key").empty();
}

// What an Idempotency-Key's request hash covers as the body: an upload's bytes are a
// file, so its id, envelope and size stand for them.
std::string hashed_body(const Request &req) {
    if (req.body_file.empty()) return req.body;
    struct stat st;
    long long size = stat(req.body_file.c_str(), &st) == 0 ? static_cast<long long>(st.st_size) : -1;
    return "upload " + req.header("x-attachment-id") + " " + req.header("x-attachment-meta") + " " + std::to_string(size);
}

// Tests only (config test_fault_injection): a request with this header value kills its
// worker right after COMMIT, before any response is written, as a crash would.
void maybe_crash_after_commit(const Ctx &ctx) {
    if (!ctx.svc.cfg.test_fault_injection) return;
    if (ctx.req.header("x-mskanban-test-fault") != "crash-after-commit") return;
    log_warn("test fault injection: killing this worker after commit");
    raise(SIGKILL);
}

// One attempt in the request's transaction: session, rate limit (first attempt only),
// Idempotency-Key claim, the handler, the stored response, one COMMIT. Anything but a
// success rolls back. SQL errors propagate to run(), which may retry.
Result<Response> attempt(Ctx &ctx, const Route &route, bool first) {
    Request &req = ctx.req;
    Tx &tx = ctx.tx();
    ctx.auth.reset();
    // With an Idempotency-Key, the claim, the write and the stored response share one
    // transaction; without, an autocommit route's write commits by itself.
    if (route.autocommit && req.header("idempotency-key").empty()) tx.set_autocommit();
    if (route.access == Access::session || route.access == Access::internal_session) {
        std::string token = cookie_value(req.header("cookie"), kSessionCookie);
        if (token.empty()) return unauthorized();
        auto a = authenticate(tx, ctx.svc.cfg, token);
        if (!a) return a.error();
        ctx.auth = *a;
    }
    if (route.access == Access::session_in_query) {
        std::string token = cookie_value(req.header("cookie"), kSessionCookie);
        if (token.empty()) return unauthorized();
        auto hash = session_token_hash(token);
        if (!hash) return hash.error();
        ctx.session_query.token_hash = *hash;
        ctx.session_query.idle_s = static_cast<int>(ctx.svc.cfg.session_idle_s);
        ctx.session_query.user_id.clear();
        if (session_cache().usable(steady_ms())) {
            // The session from the cache (or one statement that stores it there); the
            // handler then runs the by-user form of its statement.
            auto a = authenticate(tx, ctx.svc.cfg, token);
            if (!a) return a.error();
            ctx.auth = *a;
            ctx.session_query.user_id = a->user_id;
            ctx.session_query.accept = [](const pqxx::result &) { return ok_status(); };
            if (first && route.limit_group) {
                auto st = check_rate_limit(ctx, route.limit_group);
                if (!st) return st.error();
            }
        } else {
            ctx.session_query.accept = [&ctx, &route, first](const pqxx::result &r) -> Status {
                if (r.empty()) return unauthorized("session expired or invalid");
                auto a = session_from_row(ctx.tx(), r[0]);
                if (!a) return a.error();
                ctx.auth = *a;
                if (first && route.limit_group) return check_rate_limit(ctx, route.limit_group);
                return ok_status();
            };
        }
    } else if (first && route.limit_group) {
        auto st = check_rate_limit(ctx, route.limit_group);
        if (!st) return st.error();
    }
    std::string key;
    if (uses_idempotency_key(ctx, route)) {
        key = req.header("idempotency-key");
        auto claim = idempotency_claim(tx, ctx.auth->user_id, key,
                                       idempotency_request_hash(req.method, req.path, hashed_body(req)));
        if (!claim) return claim.error();
        if (claim->replay) {
            tx.commit();  // the session touch
            Response r;
            r.status = claim->status;
            r.body = claim->body;
            r.headers.push_back({"Idempotent-Replayed", "true"});
            return r;
        }
    }
    auto res = route.handler(ctx);
    if (!res.ok() || res->status >= 400) {
        tx.rollback();
        return res;
    }
    if (!key.empty()) idempotency_store(tx, ctx.auth->user_id, key, res->status, res->body);
    tx.commit();
    maybe_crash_after_commit(ctx);
    return res;
}

// A serialization failure or deadlock (SQLSTATE 40001, 40P01) rolled the attempt back;
// the request is run once more before it is answered. (libpqxx 6 reports these as
// pqxx::transaction_rollback subclasses, which are not sql_errors.)
template <class Attempt>
Result<Response> with_one_retry(Ctx &ctx, Attempt attempt_once) {
    try {
        return attempt_once(true);
    } catch (const pqxx::serialization_failure &e) {
        ctx.tx().rollback();
        log_warn(std::string("retrying after a serialization failure: ") + e.what());
    } catch (const pqxx::deadlock_detected &e) {
        ctx.tx().rollback();
        log_warn(std::string("retrying after a deadlock: ") + e.what());
    }
    ctx.extra_headers.clear();
    return attempt_once(false);
}

Result<Response> run(Ctx &ctx, bool body_too_large) {
    Request &req = ctx.req;
    auto m = match_route(all_routes(), req.method, req.path);
    if (!m) return m.error();
    const Route &route = *m->route;
    bool internal_only = route.access == Access::internal || route.access == Access::internal_session;
    if (internal_only && !req.internal) return not_found("no such route");
    req.params = m->params;
    if (body_too_large) return too_large();
    if (is_mutation(req.method) && !internal_only) {
        auto st = check_csrf(ctx.svc.cfg, req, route.upload);
        if (!st) return st.error();
    }
    return with_one_retry(ctx, [&](bool first) { return attempt(ctx, route, first); });
}

// Timeouts and repeated conflicts are the database saying "not now": 503 with
// Retry-After, so the client retries; anything else is a bug (500).
Error sql_error_to_error(const pqxx::sql_error &e) {
    const std::string &state = e.sqlstate();
    log_error(std::string("sql error: ") + e.what() + " [" + state + "]");
    if (state != "57014" && state != "55P03") return internal();  // statement_timeout, lock_timeout
    Error err = unavailable("the database did not answer in time; try again shortly");
    err.headers.push_back({"Retry-After", "1"});
    return err;
}

}  // namespace

Response error_response(const Error &e) {
    JsonPtr body = own(json_pack("{s:{s:s%, s:s%}}", "error", "code", e.code.data(), e.code.size(),
                                 "message", e.message.data(), e.message.size()));
    Response r;
    r.status = e.status;
    r.headers = e.headers;
    r.body = dump(body.get());
    return r;
}

Response dispatch(Services &svc, Request &req, bool body_too_large) {
    auto started = std::chrono::steady_clock::now();
    Tx tx(svc.db);
    tx.set_read_only(!is_mutation(req.method));  // GET, HEAD: no BEGIN/COMMIT round trips
    Ctx ctx{svc, req, std::nullopt, {}, &tx, {}};
    Response out;
    try {
        auto res = run(ctx, body_too_large);
        if (res.ok()) {
            out = std::move(res.value());
            for (auto &h : ctx.extra_headers) out.headers.push_back(h);
        } else {
            out = error_response(res.error());
        }
    } catch (const pqxx::statement_completion_unknown &e) {
        tx.rollback();
        svc.db.reset();
        log_error(std::string("statement outcome unknown: ") + e.what());
        out = error_response(unavailable("the outcome of this request is unknown; retry with the same Idempotency-Key"));
    } catch (const pqxx::transaction_rollback &e) {
        // A serialization failure or deadlock again after the retry.
        tx.rollback();
        log_error(std::string("gave up after a retry: ") + e.what());
        Error err = unavailable("the request conflicted with concurrent changes; try again");
        err.headers.push_back({"Retry-After", "1"});
        out = error_response(err);
    } catch (const pqxx::in_doubt_error &e) {
        // The connection went away during COMMIT: the change may or may not be stored.
        // With an Idempotency-Key, the retry finds out (the stored answer, or it runs).
        tx.rollback();
        svc.db.reset();
        log_error(std::string("commit outcome unknown: ") + e.what());
        out = error_response(unavailable("the outcome of this request is unknown; retry with the same Idempotency-Key"));
    } catch (const pqxx::broken_connection &e) {
        tx.rollback();
        svc.db.reset();
        log_error(std::string("database connection lost: ") + e.what());
        // A mutation without BEGIN (Route::autocommit) may have committed its statement.
        out = error_response(unavailable(is_mutation(req.method) && tx.autocommit()
                                             ? "the outcome of this request is unknown; retry with the same Idempotency-Key"
                                             : "the database is unavailable; try again shortly"));
    } catch (const pqxx::sql_error &e) {
        tx.rollback();
        out = error_response(sql_error_to_error(e));
    } catch (const std::exception &e) {
        log_error(std::string("unhandled exception: ") + e.what());
        out = error_response(internal());
    }
    // A request that published a revocation answers once no session cache can still
    // serve what it revoked (src/session_cache.hpp).
    revocation_barrier();
    long ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
    // Path only: query strings may carry tickets.
    log(out.status >= 500 ? LogLevel::error : LogLevel::info,
        req.method + " " + req.path + " " + std::to_string(out.status) + " " + std::to_string(ms) + "ms");
    return out;
}

}  // namespace msk
