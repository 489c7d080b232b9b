// Sends webhook deliveries concurrently with libcurl's multi interface, behind the
// address guard (src/netguard.hpp): the host is resolved once, every address is checked,
// the connection is pinned to the chosen one (CURLOPT_RESOLVE) and the socket curl opens
// is checked again against it (CURLOPT_OPENSOCKETFUNCTION), so neither a second DNS
// answer (rebinding) nor a redirect (never followed) nor a proxy from the environment
// (disabled) can take a request elsewhere. Bounded by a total timeout and a cap on the
// answer's size.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "config.hpp"
#include "netguard.hpp"

namespace msk {

// What the stored attempt keeps of an answer.
constexpr size_t kStoredResponseBytes = 1024;

struct SendRequest {
    std::string delivery_id, url, verb, body, signature;
};

struct SendResult {
    int status = 0;          // HTTP status; 0 when there was none
    bool refused = false;    // the URL or its address was refused by the guard
    std::string error;       // why it failed ("" for an answer, whatever its status)
    std::string response;    // the answer's first bytes, printable ASCII only
    int64_t started_ms = 0;  // epoch ms
    int64_t duration_ms = 0;
};

class Sender {
public:
    explicit Sender(const Config &cfg);
    ~Sender();
    Sender(const Sender &) = delete;
    Sender &operator=(const Sender &) = delete;
    // Sends every request, at most cfg.jobs_concurrency at a time; `done(i, result)` runs
    // as request i completes (in completion order), on this thread.
    void send_all(const std::vector<SendRequest> &reqs, const std::function<void(size_t, const SendResult &)> &done);

private:
    const Config &cfg_;
    std::vector<Cidr> allow_;
    void *multi_;
};

// The address to connect to for `url`: the first resolved address the guard admits.
// Sets `refused` (and the reason in `error`) when the URL or every address is refused;
// `error` alone when the name does not resolve.
struct Pinned {
    WebhookUrl url;
    IpAddr addr;
    bool refused = false;
    std::string error;
};
Pinned resolve_and_check(const std::string &url, const std::vector<Cidr> &allow);

}  // namespace msk
