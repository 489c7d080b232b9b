// The API client: one place that knows the base URL, attaches the session
// cookie and an Idempotency-Key, and turns HTTP errors into Failures a person
// can act on:
//   unreachable        -> kNetwork, naming the URL
//   401 TOTP_REQUIRED  -> kAuth, api_code TOTP_REQUIRED (login prompts for it)
//   401 on a session   -> kAuth "session expired or revoked"; the session file is deleted
//   429                -> kRateLimited with the wait from Retry-After
//   other 4xx/5xx      -> kGeneral "<status> <CODE>: <message>"
#pragma once

#include <string>

#include "json.hpp"
#include "outcome.hpp"
#include "state.hpp"

namespace mskanban::cli {

class Api {
public:
    Api(std::string server, SessionState *state, std::string state_path)
        : server_(std::move(server)), state_(state), state_path_(std::move(state_path)) {}

    const std::string &server() const { return server_; }

    Outcome<Json> get(const std::string &path) { return call("GET", path, Json()); }
    Outcome<Json> post(const std::string &path, const Json &body) { return call("POST", path, body); }
    Outcome<Json> patch(const std::string &path, const Json &body) { return call("PATCH", path, body); }
    Outcome<Json> del(const std::string &path) { return call("DELETE", path, Json()); }

    // The session token from the last response's Set-Cookie, if any.
    const std::string &new_session_token() const { return new_token_; }

    Outcome<Json> call(const std::string &method, const std::string &path, const Json &body);

private:
    std::string server_;
    SessionState *state_;
    std::string state_path_;
    std::string new_token_;
};

// Percent-encode a query value.
std::string url_escape(const std::string &s);

}  // namespace mskanban::cli
