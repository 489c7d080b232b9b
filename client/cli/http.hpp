// A small blocking HTTP client on libcurl for the MSKanban API.
//
// One request at a time; JSON in, JSON out. The session cookie is handled by
// hand (read from Set-Cookie, sent as a Cookie header) rather than by curl's
// cookie engine, because the server marks it Secure and a loopback dev stack
// speaks plain HTTP. Transport failures come back as a Failure with
// kNetwork; HTTP error statuses are returned as responses for the caller
// (api.cpp) to interpret.
#pragma once

#include <string>
#include <vector>

#include "outcome.hpp"

namespace mskanban::cli {

struct HttpRequest {
    std::string method;  // GET, POST, PATCH, DELETE
    std::string url;
    std::string body;    // JSON text; empty for none
    std::vector<std::string> headers;  // "Name: value"
};

struct HttpResponse {
    long status = 0;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
    std::string header(const std::string &name) const;         // first match or ""
};

// Global curl initialisation; call once from main.
bool http_init();
void http_cleanup();

Outcome<HttpResponse> http_send(const HttpRequest &req);

}  // namespace mskanban::cli
