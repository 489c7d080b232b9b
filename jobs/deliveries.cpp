// Webhook deliveries in the runner (see deliveries.hpp).
#include "deliveries.hpp"

#include <sodium.h>

#include "crypto.hpp"
#include "log.hpp"
#include "policy.hpp"
#include "timeutil.hpp"
#include "webhooks.hpp"

namespace msk {

namespace {

struct Claimed {
    std::string id, webhook_id;
    int tries = 0, attempts = 0;
};

const char *state_name(Outcome o, int failures, double scale, int64_t &delay_ms) {
    switch (o) {
        case Outcome::delivered: return "delivered";
        case Outcome::refused: return "failed";
        case Outcome::retry: {
            double jitter = randombytes_uniform(1000000) / 1e6;
            auto d = retry_delay_ms(failures, scale, jitter);
            if (!d) return "dead";
            delay_ms = *d;
            return "pending";
        }
    }
    return "failed";
}

}  // namespace

int64_t delivery_lease_ms(const Config &cfg) { return cfg.webhook_timeout_ms + 5000; }

int run_deliveries(Db &db, const Config &cfg, Sender &sender, int batch) {
    std::vector<Claimed> claimed;
    std::vector<SendRequest> reqs;
    std::vector<std::string> bad_secret;  // per request: why it cannot be signed
    {
        pqxx::work tx(db.conn());
        auto rows = tx.exec_prepared("jobs_claim_deliveries", batch, delivery_lease_ms(cfg));
        tx.commit();
        int64_t now_s = now_ms() / 1000;
        for (const auto &r : rows) {
            Claimed c;
            c.id = r["id"].as<std::string>();
            c.webhook_id = r["webhook_id"].as<std::string>();
            c.tries = r["tries"].as<int>();
            c.attempts = r["attempts"].as<int>();
            SendRequest s;
            s.delivery_id = c.id;
            s.url = r["url"].as<std::string>();
            s.verb = r["verb"].as<std::string>();
            s.body = r["payload"].as<std::string>();
            auto secret = open_at_rest(cfg.at_rest_key, webhook_secret_label(c.webhook_id),
                                       r["secret_sealed"].as<std::string>());
            bad_secret.push_back(secret ? "" : "the webhook's secret cannot be opened (wrong at_rest_key?)");
            if (secret) s.signature = signature_header(*secret, now_s, s.body);
            claimed.push_back(c);
            reqs.push_back(std::move(s));
        }
    }
    if (claimed.empty()) return 0;

    // A delivery whose secret cannot be opened is not sent: it fails for good.
    std::vector<SendRequest> to_send;
    std::vector<size_t> index;
    auto record = [&](size_t i, const SendResult &res) {
        const Claimed &c = claimed[i];
        int64_t delay = 0;
        Outcome o = classify(res.status, res.refused);
        const char *state = state_name(o, c.tries + 1, cfg.webhook_retry_scale, delay);
        std::optional<int> status;
        if (res.status) status = res.status;
        std::optional<std::string> error, response;
        if (!res.error.empty()) error = res.error;
        if (!res.response.empty() || res.status) response = res.response;
        try {
            pqxx::work tx(db.conn());
            tx.exec_prepared("jobs_record_attempt", c.id, c.attempts + 1, res.started_ms, res.duration_ms, status,
                             error, response, std::string(state), delay);
            tx.commit();
        } catch (const pqxx::broken_connection &) {
            throw;
        } catch (const std::exception &e) {
            log_warn("jobs: recording delivery " + c.id + " failed: " + e.what());
        }
        if (o != Outcome::delivered)
            log_info("jobs: delivery " + c.id + " attempt " + std::to_string(c.attempts + 1) + ": " +
                     (res.status ? "HTTP " + std::to_string(res.status) : res.error) + " -> " + state);
    };
    for (size_t i = 0; i < reqs.size(); ++i) {
        if (!bad_secret[i].empty()) {
            SendResult r;
            r.refused = true;
            r.error = bad_secret[i];
            r.started_ms = now_ms();
            record(i, r);
            continue;
        }
        index.push_back(i);
        to_send.push_back(reqs[i]);
    }
    sender.send_all(to_send, [&](size_t j, const SendResult &res) { record(index[j], res); });
    return static_cast<int>(claimed.size());
}

int64_t next_delivery_due_ms(Db &db, int64_t max_ms) {
    pqxx::work tx(db.conn());
    auto r = tx.exec_prepared("jobs_next_due");
    tx.commit();
    if (r[0]["ms"].is_null()) return max_ms;
    int64_t ms = r[0]["ms"].as<int64_t>();
    return ms < 0 ? 0 : (ms > max_ms ? max_ms : ms);
}

}  // namespace msk
