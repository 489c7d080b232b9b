// libcurl transport (see http.hpp).
#include "http.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <string>

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "dev"
#endif

namespace mskanban::cli {

namespace {

size_t on_body(char *p, size_t size, size_t n, void *ud) {
    static_cast<std::string *>(ud)->append(p, size * n);
    return size * n;
}

size_t on_header(char *p, size_t size, size_t n, void *ud) {
    auto *resp = static_cast<HttpResponse *>(ud);
    std::string line(p, size * n);
    if (line.compare(0, 5, "HTTP/") == 0) resp->headers.clear();  // a new response (after 100, redirects)
    auto colon = line.find(':');
    if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        std::string value = line.substr(colon + 1);
        auto b = value.find_first_not_of(" \t");
        auto e = value.find_last_not_of(" \t\r\n");
        value = b == std::string::npos ? "" : value.substr(b, e - b + 1);
        resp->headers.emplace_back(name, value);
    }
    return size * n;
}

}  // namespace

std::string HttpResponse::header(const std::string &name) const {
    for (const auto &h : headers)
        if (h.first == name) return h.second;
    return "";
}

bool http_init() { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; }
void http_cleanup() { curl_global_cleanup(); }

Outcome<HttpResponse> http_send(const HttpRequest &req) {
    CURL *c = curl_easy_init();
    if (!c) return fail(kNetwork, "cannot initialise libcurl");
    HttpResponse resp;
    char errbuf[CURL_ERROR_SIZE] = {0};
    struct curl_slist *hdrs = nullptr;
    for (const auto &h : req.headers) hdrs = curl_slist_append(hdrs, h.c_str());

    curl_easy_setopt(c, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    if (!req.body.empty() || req.method == "POST" || req.method == "PATCH") {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, req.body.c_str());
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(req.body.size()));
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &resp.body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &resp);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "mskanban-cli/" PACKAGE_VERSION);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    // Tests give each simulated person their own loopback source address, so
    // per-IP rate limits of one test do not spill into another.
    if (const char *bind = std::getenv("MSKANBAN_BIND_ADDRESS"); bind && *bind)
        curl_easy_setopt(c, CURLOPT_INTERFACE, (std::string("host!") + bind).c_str());

    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp.status);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK) {
        std::string why = errbuf[0] ? errbuf : curl_easy_strerror(rc);
        return fail(kNetwork, "cannot reach the server (" + req.url + "): " + why);
    }
    return resp;
}

}  // namespace mskanban::cli
