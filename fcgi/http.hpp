// The request and response as the handlers see them, independent of FastCGI.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace msk {

struct Request {
    std::string method;
    std::string path;   // below the base path, e.g. "/auth/login"
    std::string query;  // raw, without '?'
    std::map<std::string, std::string> headers;  // lower-case names
    std::string remote_addr;
    std::string body;
    // An upload's body: the file the web server wrote (nginx $request_body_file) or the
    // worker spooled (fcgi/upload_spool.hpp); `body` is then empty.
    std::string body_file;
    // The storage name chosen for body_file: kept when the request is run again after a
    // serialization failure or deadlock, so the retry finds the file the first attempt
    // already moved (src/attachment_store.hpp, move_into_storage).
    std::string body_storage_name;
    std::string request_id;
    bool internal = false;  // came through an nginx internal location
    std::map<std::string, std::string> params;  // from the route pattern

    std::string header(const std::string &name) const {
        auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
    std::optional<std::string> query_param(const std::string &name) const;
    const std::string &param(const std::string &name) const { return params.at(name); }
};

struct Response {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;  // JSON unless a Content-Type header says otherwise
    // A body too large to hold (GET /me/export): when set, the worker writes the headers
    // and then calls it once with a sink that sends one piece to the client (false once
    // the client is gone); `body` is ignored. It runs after the request's transaction
    // ended, so it reads in a transaction of its own, and must not throw.
    std::function<void(const std::function<bool(const std::string &)> &)> stream;
};

std::string url_decode(const std::string &s);
// A cookie's value from a Cookie header; "" when absent.
std::string cookie_value(const std::string &header, const std::string &name);
const char *status_text(int status);

}  // namespace msk
