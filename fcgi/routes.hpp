// The route table. Each fcgi/handlers/<resource>.cpp exports its routes; routes.cpp
// gathers them. A route declares its method, path pattern (`:name` segments become
// params), handler, whether it needs a session, and its rate-limit group.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config.hpp"
#include "db.hpp"
#include "error.hpp"
#include "http.hpp"
#include "json.hpp"
#include "redis.hpp"
#include "sessions.hpp"

namespace msk {

// What a handler may use: the stores and config, handed in rather than reached for.
struct Services {
    const Config &cfg;
    Db &db;
    Redis &redis;
};

struct Ctx {
    Services &svc;
    Request &req;
    std::optional<SessionAuth> auth;  // set for routes with Access::session
    // Headers the dispatcher adds to a successful response (rate-limit state).
    std::vector<std::pair<std::string, std::string>> extra_headers;
    // The request's transaction (see Tx in src/db.hpp), owned and committed by the
    // dispatcher; handlers pass it to the domain functions and never commit it.
    Tx *transaction = nullptr;
    Tx &tx() { return *transaction; }
    // Access::session_in_query: what the handler's first statement needs to check the
    // session itself (src/sessions.hpp); ctx.auth is set once it has called accept.
    SessionQuery session_query;
};

using Handler = Result<Response> (*)(Ctx &);

enum class Access {
    anonymous,  // no session needed
    session,    // a valid session cookie, else 401
    internal,   // only through an nginx internal location (MSKANBAN_INTERNAL)
    internal_session,  // internal, and a valid session cookie (forwarded by nginx)
    // A valid session cookie, checked by the handler's first statement together with
    // its own reads (ctx.session_query): one round trip fewer on the hottest reads.
    // The rate limit is applied after that statement. GET routes only.
    session_in_query,
};

// What an Idempotency-Key means on a route (src/idempotency.hpp).
enum class Replay {
    store,  // mutations: the first 2xx response is stored and replayed to retries
    never,  // never stored, the key is ignored and a retry runs again: the response
            // carries a secret (session, TOTP secret, ticket) or replaying it has no
            // meaning (logout)
};

struct Route {
    const char *method;
    const char *pattern;
    Handler handler;
    Access access;
    const char *limit_group;  // "read", "mutation", "login", ...; nullptr = none
    Replay replay = Replay::store;
    // The body is a file upload (Content-Type application/octet-stream), received by the
    // web server into a file (Request::body_file), never read into memory.
    bool upload = false;
    // A mutation whose write is one statement (docs/internals.md, "Transactions"): without
    // an Idempotency-Key it runs without BEGIN/COMMIT, so the write commits as it ends and
    // holds its locks for no client round trip. The handler calls Tx::begin() before a
    // path that needs several statements.
    bool autocommit = false;
};

std::vector<Route> health_routes();
std::vector<Route> auth_routes();
std::vector<Route> me_routes();
std::vector<Route> account_routes();
std::vector<Route> recovery_routes();
std::vector<Route> totp_routes();
std::vector<Route> webauthn_routes();
std::vector<Route> internal_routes();
std::vector<Route> workspace_routes();
std::vector<Route> member_routes();
std::vector<Route> board_routes();
std::vector<Route> column_routes();
std::vector<Route> card_routes();
std::vector<Route> label_routes();
std::vector<Route> assignment_routes();
std::vector<Route> milestone_routes();
std::vector<Route> notification_routes();
std::vector<Route> comment_routes();
std::vector<Route> checklist_routes();
std::vector<Route> card_template_routes();
std::vector<Route> custom_field_routes();
std::vector<Route> webhook_routes();
std::vector<Route> automation_routes();
std::vector<Route> automation_claim_routes();
std::vector<Route> activity_routes();
std::vector<Route> live_poll_routes();
std::vector<Route> attachment_routes();
// Every route, in table order.
const std::vector<Route> &all_routes();

// Matching: the route for (method, path) and its params; or 404 / 405 with Allow.
struct Match {
    const Route *route = nullptr;
    std::map<std::string, std::string> params;
};
Result<Match> match_route(const std::vector<Route> &routes, const std::string &method,
                          const std::string &path);

// Response helpers for handlers.
Response json_response(int status, json_t *body);  // takes the reference
Response no_content();

}  // namespace msk
