// Path matching for the route table, and response helpers.
#include <algorithm>

#include "routes.hpp"

namespace msk {

static std::vector<std::string> split_path(const std::string &path) {
    std::vector<std::string> parts;
    size_t pos = 1;
    while (pos <= path.size()) {
        size_t end = path.find('/', pos);
        if (end == std::string::npos) end = path.size();
        parts.push_back(path.substr(pos, end - pos));
        pos = end + 1;
    }
    return parts;
}

static bool match_pattern(const std::string &pattern, const std::vector<std::string> &path,
                          std::map<std::string, std::string> &params) {
    auto pat = split_path(pattern);
    if (pat.size() != path.size()) return false;
    std::map<std::string, std::string> found;
    for (size_t i = 0; i < pat.size(); i++) {
        if (!pat[i].empty() && pat[i][0] == ':') {
            if (path[i].empty()) return false;
            found[pat[i].substr(1)] = path[i];
        } else if (pat[i] != path[i]) {
            return false;
        }
    }
    params = std::move(found);
    return true;
}

Result<Match> match_route(const std::vector<Route> &routes, const std::string &method,
                          const std::string &path) {
    if (path.empty() || path[0] != '/') return not_found("no such route");
    auto parts = split_path(path);
    std::vector<std::string> allowed;
    for (const auto &r : routes) {
        std::map<std::string, std::string> params;
        if (!match_pattern(r.pattern, parts, params)) continue;
        if (method == r.method || (method == "HEAD" && std::string(r.method) == "GET"))
            return Match{&r, std::move(params)};
        if (std::find(allowed.begin(), allowed.end(), r.method) == allowed.end())
            allowed.push_back(r.method);
    }
    if (allowed.empty()) return not_found("no such route");
    std::string allow;
    for (const auto &m : allowed) allow += (allow.empty() ? "" : ", ") + m;
    Error e{405, "METHOD_NOT_ALLOWED", "method " + method + " is not allowed here", {}};
    e.headers.push_back({"Allow", allow});
    return e;
}

Response json_response(int status, json_t *body) {
    JsonPtr owned(body);
    Response r;
    r.status = status;
    r.body = dump(body);
    return r;
}

Response no_content() {
    Response r;
    r.status = 204;
    return r;
}

}  // namespace msk
