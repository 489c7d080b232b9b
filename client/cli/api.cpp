// API calls and error mapping (see api.hpp).
#include "api.hpp"

#include <sodium.h>

#include <cctype>

#include "crypto/b64url.hpp"
#include "http.hpp"

namespace mskanban::cli {

namespace {

const char kCookie[] = "mskanban_session";

std::string cookie_from(const HttpResponse &r) {
    for (const auto &h : r.headers) {
        if (h.first != "set-cookie") continue;
        std::string prefix = std::string(kCookie) + "=";
        if (h.second.compare(0, prefix.size(), prefix) != 0) continue;
        auto end = h.second.find(';');
        return h.second.substr(prefix.size(), end == std::string::npos ? std::string::npos : end - prefix.size());
    }
    return "";
}

std::string idempotency_key() {
    unsigned char b[16];
    randombytes_buf(b, sizeof b);
    return crypto::b64url_encode(b, sizeof b);
}

}  // namespace

std::string url_escape(const std::string &s) {
    static const char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += static_cast<char>(c);
        else { out += '%'; out += hex[c >> 4]; out += hex[c & 15]; }
    }
    return out;
}

Outcome<Json> Api::call(const std::string &method, const std::string &path, const Json &body) {
    HttpRequest req;
    req.method = method;
    req.url = server_ + "/api" + path;
    req.headers.push_back("Accept: application/json");
    if (body) {
        req.body = body.dump();
        req.headers.push_back("Content-Type: application/json");
    } else if (method != "GET") {
        req.headers.push_back("Content-Type: application/json");
    }
    if (method == "POST") req.headers.push_back("Idempotency-Key: " + idempotency_key());
    bool with_session = state_ && !state_->session_token.empty();
    if (with_session) req.headers.push_back(std::string("Cookie: ") + kCookie + "=" + state_->session_token);

    // A POST carries an Idempotency-Key, so a gateway error can be retried once safely.
    Outcome<HttpResponse> sent = http_send(req);
    for (int attempt = 0; attempt < 2 && sent && sent.value().status >= 502 && sent.value().status <= 504; attempt++)
        sent = http_send(req);
    for (auto &h : req.headers)
        if (h.compare(0, 7, "Cookie:") == 0) crypto::wipe_string(h);
    if (!sent) return sent.failure();
    const HttpResponse &r = sent.value();
    new_token_ = cookie_from(r);

    Json parsed = r.body.empty() ? Json() : parse(r.body);
    if (r.status >= 200 && r.status < 300) return parsed ? parsed : object();

    Json err = parsed ? parsed["error"] : Json();
    std::string code = err ? err.str("code") : "";
    std::string message = err ? err.str("message") : "";
    Failure f;
    f.api_code = code;
    f.http_status = r.status;
    if (r.status == 429) {
        std::string wait = r.header("retry-after");
        f.exit_code = kRateLimited;
        f.message = "rate limited by the server; try again in " + (wait.empty() ? "a moment" : wait + " s");
    } else if (r.status == 401 && code == "TOTP_REQUIRED") {
        f.exit_code = kAuth;
        f.message = "a TOTP code is required: pass --totp CODE (or run interactively)";
    } else if (r.status == 401 && with_session) {
        f.exit_code = kAuth;
        f.message = "the session has expired or was revoked; run: mskanban login";
        if (state_) {
            remove_state(state_path_);  // the keys in it must not outlive the session
            state_->session_token.clear();
        }
    } else if (r.status == 401) {
        f.exit_code = kAuth;
        f.message = message.empty() ? "not logged in; run: mskanban login" : message;
    } else if (!parsed && r.status >= 500) {
        f.message = "the server failed (HTTP " + std::to_string(r.status) + ") at " + req.url;
    } else {
        f.message = "HTTP " + std::to_string(r.status) + (code.empty() ? "" : " " + code) + ": " +
                    (message.empty() ? method + " " + path : message);
    }
    return f;
}

}  // namespace mskanban::cli
