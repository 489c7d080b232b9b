// Outbound HTTP for webhooks (see sender.hpp).
#include "sender.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <sys/socket.h>

#include <cstring>
#include <memory>

#include "timeutil.hpp"

namespace msk {

namespace {

struct Transfer {
    size_t index = 0;
    CURL *easy = nullptr;
    curl_slist *headers = nullptr;
    curl_slist *resolve = nullptr;
    IpAddr pinned;
    bool socket_refused = false;
    size_t received = 0, cap = 0;
    std::string head;  // the first kStoredResponseBytes
    SendResult result;
};

size_t on_body(char *data, size_t size, size_t n, void *userp) {
    auto *t = static_cast<Transfer *>(userp);
    size_t len = size * n;
    t->received += len;
    if (t->head.size() < kStoredResponseBytes)
        t->head.append(data, std::min(len, kStoredResponseBytes - t->head.size()));
    if (t->received > t->cap) return 0;  // aborts the transfer: the answer is too large
    return len;
}

// The last line of defence: curl may only open a socket to the address we checked.
curl_socket_t on_open(void *userp, curlsocktype purpose, struct curl_sockaddr *a) {
    auto *t = static_cast<Transfer *>(userp);
    bool same = false;
    if (purpose == CURLSOCKTYPE_IPCXN) {
        if (a->family == AF_INET && !t->pinned.v6) {
            auto *sin = reinterpret_cast<sockaddr_in *>(&a->addr);
            same = std::memcmp(&sin->sin_addr, t->pinned.b.data(), 4) == 0;
        } else if (a->family == AF_INET6 && t->pinned.v6) {
            auto *sin6 = reinterpret_cast<sockaddr_in6 *>(&a->addr);
            same = std::memcmp(&sin6->sin6_addr, t->pinned.b.data(), 16) == 0;
        }
    }
    if (!same) {
        t->socket_refused = true;
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype, a->protocol);
}

std::string printable(const std::string &s) {
    std::string out = s;
    for (auto &c : out)
        if (static_cast<unsigned char>(c) < 0x20 ? (c != '\n' && c != '\t') : static_cast<unsigned char>(c) > 0x7e)
            c = '?';
    return out;
}

}  // namespace

Pinned resolve_and_check(const std::string &url, const std::vector<Cidr> &allow) {
    Pinned p;
    auto u = parse_webhook_url(url);
    if (!u.url) {
        p.refused = true;
        p.error = "refused: " + u.error;
        return p;
    }
    p.url = *u.url;
    std::vector<IpAddr> addrs;
    if (p.url.host_is_ip) {
        addrs.push_back(*parse_ip(p.url.host));
    } else {
        addrinfo hints{}, *res = nullptr;
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        int rc = getaddrinfo(p.url.host.c_str(), nullptr, &hints, &res);
        if (rc != 0) {
            p.error = std::string("cannot resolve the host: ") + gai_strerror(rc);
            return p;
        }
        for (addrinfo *ai = res; ai; ai = ai->ai_next) {
            IpAddr a;
            if (ai->ai_family == AF_INET) {
                std::memcpy(a.b.data(), &reinterpret_cast<sockaddr_in *>(ai->ai_addr)->sin_addr, 4);
            } else if (ai->ai_family == AF_INET6) {
                a.v6 = true;
                std::memcpy(a.b.data(), &reinterpret_cast<sockaddr_in6 *>(ai->ai_addr)->sin6_addr, 16);
            } else {
                continue;
            }
            addrs.push_back(a);
        }
        freeaddrinfo(res);
    }
    std::string why;
    for (const auto &a : addrs) {
        const char *r = refuse_address(a, allow);
        if (!r) {
            p.addr = a;
            return p;
        }
        if (why.empty()) why = std::string(r) + " address " + ip_text(a);
    }
    p.refused = true;
    p.error = "refused: " + (why.empty() ? std::string("no address") : why) +
              " (allow it with webhook_allow_networks)";
    return p;
}

Sender::Sender(const Config &cfg) : cfg_(cfg), multi_(curl_multi_init()) {
    for (const auto &n : cfg.webhook_allow_networks) allow_.push_back(*parse_cidr(n));
}

Sender::~Sender() { curl_multi_cleanup(static_cast<CURLM *>(multi_)); }

void Sender::send_all(const std::vector<SendRequest> &reqs,
                      const std::function<void(size_t, const SendResult &)> &done) {
    CURLM *multi = static_cast<CURLM *>(multi_);
    size_t next = 0, running = 0;
    std::vector<std::unique_ptr<Transfer>> live;

    auto finish = [&](Transfer *t) {
        t->result.duration_ms = now_ms() - t->result.started_ms;
        done(t->index, t->result);
    };
    // Starts request i; false when it completed at once (refused, unresolvable).
    auto start = [&](size_t i) {
        auto t = std::make_unique<Transfer>();
        t->index = i;
        t->cap = static_cast<size_t>(cfg_.webhook_max_response_bytes);
        t->result.started_ms = now_ms();
        const SendRequest &r = reqs[i];
        Pinned p = resolve_and_check(r.url, allow_);
        if (p.refused || !p.error.empty()) {
            t->result.refused = p.refused;
            t->result.error = p.error;
            finish(t.get());
            return;
        }
        t->pinned = p.addr;
        std::string addr = p.addr.v6 ? "[" + ip_text(p.addr) + "]" : ip_text(p.addr);
        if (!p.url.host_is_ip)
            t->resolve = curl_slist_append(nullptr, (p.url.host + ":" + std::to_string(p.url.port) + ":" + addr).c_str());
        for (const std::string &h : {std::string("Content-Type: application/json"),
                                    std::string("User-Agent: MSKanban-Webhooks/1"), "X-MSKanban-Event: " + r.verb,
                                    "X-MSKanban-Delivery-Id: " + r.delivery_id, "X-MSKanban-Signature: " + r.signature,
                                    std::string("Expect:")})
            t->headers = curl_slist_append(t->headers, h.c_str());
        CURL *e = t->easy = curl_easy_init();
        curl_easy_setopt(e, CURLOPT_URL, r.url.c_str());
        curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(e, CURLOPT_PROXY, "");
        curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, cfg_.webhook_timeout_ms);
        curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, std::min<long>(cfg_.webhook_timeout_ms, 5000));
        if (t->resolve) curl_easy_setopt(e, CURLOPT_RESOLVE, t->resolve);
        curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, on_open);
        curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, t.get());
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
        curl_easy_setopt(e, CURLOPT_POST, 1L);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, r.body.c_str());
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, static_cast<long>(r.body.size()));
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(e, CURLOPT_WRITEDATA, t.get());
        curl_easy_setopt(e, CURLOPT_PRIVATE, t.get());
        curl_multi_add_handle(multi, e);
        running++;
        live.push_back(std::move(t));
    };

    while (next < reqs.size() || running > 0) {
        while (next < reqs.size() && running < static_cast<size_t>(cfg_.jobs_concurrency)) start(next++);
        if (running == 0) continue;
        int still = 0;
        curl_multi_perform(multi, &still);
        int queued = 0;
        while (CURLMsg *m = curl_multi_info_read(multi, &queued)) {
            if (m->msg != CURLMSG_DONE) continue;
            Transfer *t = nullptr;
            curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char **>(&t));
            long status = 0;
            curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &status);
            CURLcode rc = m->data.result;
            t->result.status = static_cast<int>(status);
            t->result.response = printable(t->head);
            if (t->socket_refused) {
                t->result.status = 0;
                t->result.refused = true;
                t->result.error = "refused: the connection went to an address that was not checked";
            } else if (rc == CURLE_WRITE_ERROR && t->received > t->cap) {
                t->result.error = "the answer exceeded webhook_max_response_bytes";
            } else if (rc != CURLE_OK) {
                t->result.error = curl_easy_strerror(rc);
                if (rc == CURLE_OPERATION_TIMEDOUT) t->result.status = 0;
            }
            curl_multi_remove_handle(multi, m->easy_handle);
            curl_easy_cleanup(m->easy_handle);
            curl_slist_free_all(t->headers);
            curl_slist_free_all(t->resolve);
            running--;
            finish(t);
            for (auto it = live.begin(); it != live.end(); ++it)
                if (it->get() == t) {
                    live.erase(it);
                    break;
                }
        }
        if (running > 0) curl_multi_poll(multi, nullptr, 0, 200, nullptr);
    }
}

}  // namespace msk
