// Streaming transfers (see transfer.hpp).
#include "transfer.hpp"

#include <curl/curl.h>
#include <sodium.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "crypto/b64url.hpp"

namespace mskanban::cli {

namespace {

struct Transfer {
    const BodyProducer *produce = nullptr;
    const BodyConsumer *consume = nullptr;
    std::string pending;     // produced but not yet handed to curl
    std::string answer;  // the body of a JSON answer (an upload's, or any error)
    long status = 0;
    bool aborted = false;
    std::string label;
    bool tty = false;
    int last_pct = -1;
    CURL *curl = nullptr;
};

size_t on_read(char *buf, size_t size, size_t n, void *ud) {
    auto *t = static_cast<Transfer *>(ud);
    size_t room = size * n;
    if (t->pending.empty()) {
        if (!(*t->produce)(t->pending, 64 * 1024 + 64)) {
            t->aborted = true;
            return CURL_READFUNC_ABORT;
        }
    }
    size_t k = std::min(room, t->pending.size());
    std::copy(t->pending.data(), t->pending.data() + k, buf);
    t->pending.erase(0, k);
    return k;
}

size_t on_write(char *p, size_t size, size_t n, void *ud) {
    auto *t = static_cast<Transfer *>(ud);
    if (t->status == 0) curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &t->status);
    size_t len = size * n;
    if (t->consume && t->status >= 200 && t->status < 300) {
        if (!(*t->consume)(p, len)) {
            t->aborted = true;
            return 0;
        }
    } else if (t->answer.size() < 64 * 1024) {
        t->answer.append(p, len);
    }
    return len;
}

int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow) {
    auto *t = static_cast<Transfer *>(ud);
    if (!t->tty) return 0;
    curl_off_t total = ultotal > 0 ? ultotal : dltotal, now = ultotal > 0 ? ulnow : dlnow;
    if (total <= 0) return 0;
    int pct = static_cast<int>(now * 100 / total);
    if (pct == t->last_pct) return 0;
    t->last_pct = pct;
    int bar = pct * 30 / 100;
    std::fprintf(stderr, "\r%s [%-30s] %3d%% %lld/%lld bytes", t->label.c_str(), std::string(bar, '#').c_str(), pct,
                 static_cast<long long>(now), static_cast<long long>(total));
    if (pct == 100) std::fprintf(stderr, "\n");
    return 0;
}

std::string idempotency_key() {
    unsigned char b[16];
    randombytes_buf(b, sizeof b);
    return crypto::b64url_encode(b, sizeof b);
}

// An error answer as a Failure (as Api::call does for JSON calls).
Failure http_failure(long status, const std::string &body, const std::string &what) {
    Json parsed = body.empty() ? Json() : parse(body);
    Json err = parsed ? parsed["error"] : Json();
    std::string code = err ? err.str("code") : "", message = err ? err.str("message") : "";
    Failure f;
    f.api_code = code;
    f.http_status = status;
    if (status == 429) {
        f.exit_code = kRateLimited;
        f.message = "rate limited by the server; try again in a moment";
    } else if (status == 401) {
        f.exit_code = kAuth;
        f.message = "the session has expired or was revoked; run: mskanban login";
    } else {
        f.message = "HTTP " + std::to_string(status) + (code.empty() ? "" : " " + code) + ": " +
                    (message.empty() ? what : message);
    }
    return f;
}

Outcome<long> perform(Ctx &ctx, const std::string &method, const std::string &path, std::vector<std::string> headers,
                      Transfer &t, std::uint64_t upload_len) {
    CURL *c = curl_easy_init();
    if (!c) return fail(kNetwork, "cannot initialise libcurl");
    t.curl = c;
    t.tty = isatty(2) && !ctx.json;
    std::string url = ctx.api->server() + "/api" + path;
    if (ctx.state && !ctx.state->session_token.empty())
        headers.push_back("Cookie: mskanban_session=" + ctx.state->session_token);
    struct curl_slist *hdrs = nullptr;
    for (const auto &h : headers) hdrs = curl_slist_append(hdrs, h.c_str());
    for (auto &h : headers) crypto::wipe_string(h);
    char errbuf[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    if (method == "POST") {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(c, CURLOPT_READDATA, &t);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(upload_len));
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, &t);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);  // no total limit: a large file over a slow link is fine,
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);  // a stalled one is not
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    if (const char *bind = std::getenv("MSKANBAN_BIND_ADDRESS"); bind && *bind)
        curl_easy_setopt(c, CURLOPT_INTERFACE, (std::string("host!") + bind).c_str());
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &t.status);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(c);
    if (t.tty && t.last_pct >= 0 && t.last_pct < 100) std::fprintf(stderr, "\n");
    if (t.aborted) return fail(kGeneral, "transfer aborted");
    if (rc != CURLE_OK) {
        std::string why = errbuf[0] ? errbuf : curl_easy_strerror(rc);
        return fail(kNetwork, "cannot reach the server (" + url + "): " + why);
    }
    return t.status;
}

}  // namespace

Outcome<Json> upload_stream(Ctx &ctx, const std::string &path, std::vector<std::string> headers, std::uint64_t length,
                            const BodyProducer &produce, const std::string &label) {
    Transfer t;
    t.produce = &produce;
    t.label = label;
    headers.push_back("Accept: application/json");
    headers.push_back("Content-Type: application/octet-stream");
    headers.push_back("Idempotency-Key: " + idempotency_key());
    headers.push_back("Expect:");  // send at once; nginx answers a 413 before storing anyway
    auto status = perform(ctx, "POST", path, headers, t, length);
    if (!status) return status.failure();
    if (status.value() < 200 || status.value() >= 300) return http_failure(status.value(), t.answer, "POST " + path);
    Json parsed = parse(t.answer);
    if (!parsed) return fail(kGeneral, "the server's answer is not JSON");
    return parsed;
}

Status download_stream(Ctx &ctx, const std::string &path, const BodyConsumer &consume, const std::string &label) {
    Transfer t;
    t.consume = &consume;
    t.label = label;
    auto status = perform(ctx, "GET", path, {}, t, 0);
    if (!status) return status.failure();
    if (status.value() < 200 || status.value() >= 300) return http_failure(status.value(), t.answer, "GET " + path);
    return ok_status();
}

}  // namespace mskanban::cli
