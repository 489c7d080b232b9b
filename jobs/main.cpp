// mskanban-jobs: the background runner. One loop: send due webhook deliveries
// (deliveries.hpp), emit due-date events (due_dates.hpp), run the clean-up every
// jobs_gc_interval (gc.hpp), then sleep until the next delivery is due, a committed
// mutation NOTIFYs mskanban_deliveries, or a second has passed. Any number of runners
// on any number of hosts share the work through PostgreSQL (docs/internals.md, "The job
// runner"). SIGTERM or SIGINT: finish the batch in flight, then exit.
#include <curl/curl.h>
#include <signal.h>

#include <atomic>
#include <cstring>
#include <iostream>

#include "config.hpp"
#include "crypto.hpp"
#include "db.hpp"
#include "deliveries.hpp"
#include "due_dates.hpp"
#include "gc.hpp"
#include "log.hpp"
#include "redis.hpp"
#include "sender.hpp"
#include "timeutil.hpp"

using namespace msk;

namespace {

std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop = true; }

constexpr int64_t kMaxSleepMs = 1000;
constexpr int kDueBatch = 100;

class Wakeup : public pqxx::notification_receiver {
public:
    explicit Wakeup(pqxx::connection_base &c) : pqxx::notification_receiver(c, "mskanban_deliveries") {}
    void operator()(const std::string &, int) override {}
};

int usage() {
    std::cerr << "usage: mskanban-jobs [-c mskanban.conf] [--check-config]\n";
    return 2;
}

}  // namespace

int main(int argc, char **argv) {
    std::string config_path = std::getenv("MSKANBAN_CONFIG") ? std::getenv("MSKANBAN_CONFIG") : "";
    bool check_only = false;
    for (int i = 1; i < argc; i++) {
        if ((!strcmp(argv[i], "-c") || !strcmp(argv[i], "--config")) && i + 1 < argc)
            config_path = argv[++i];
        else if (!strcmp(argv[i], "--check-config"))
            check_only = true;
        else
            return usage();
    }
    auto cfg = load_config(config_path);
    if (!cfg) {
        std::cerr << "mskanban-jobs: config error: " << cfg.error().message << "\n";
        return 1;
    }
    if (check_only) return 0;
    set_log_level(cfg->log_level);
    if (!crypto_init() || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        std::cerr << "mskanban-jobs: cannot initialise libsodium/libcurl\n";
        return 1;
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    signal(SIGPIPE, SIG_IGN);

    Db db(cfg->database_url, "SET statement_timeout = " + std::to_string(cfg->db_statement_timeout_ms));
    Redis redis(cfg->redis_host, cfg->redis_port, cfg->redis_timeout_ms, cfg->redis_password, cfg->redis_db);
    Sender sender(*cfg);
    std::unique_ptr<Wakeup> wakeup;
    pqxx::connection *listening = nullptr;
    int batch = static_cast<int>(cfg->jobs_concurrency) * 4;
    int64_t next_gc = now_ms(), next_due = 0;
    log_info("mskanban-jobs ready: " + std::to_string(cfg->jobs_concurrency) + " concurrent deliveries");

    while (!g_stop) {
        try {
            pqxx::connection &conn = db.conn();
            if (&conn != listening) {  // a new connection: LISTEN again
                wakeup.reset();
                wakeup = std::make_unique<Wakeup>(conn);
                listening = &conn;
            }
            conn.get_notifs();
            int claimed = run_deliveries(db, *cfg, sender, batch);
            int64_t now = now_ms();
            if (now >= next_due) {
                next_due = now + kMaxSleepMs;
                if (run_due_dates(db, redis, kDueBatch) == kDueBatch) next_due = now;
            }
            if (now >= next_gc) {
                next_gc = now + cfg->jobs_gc_interval_s * 1000;
                run_gc(db, *cfg);
            }
            if (claimed == batch || g_stop) continue;
            int64_t wait = next_delivery_due_ms(db, kMaxSleepMs);
            if (wait > 0) conn.await_notification(wait / 1000, (wait % 1000) * 1000);
        } catch (const pqxx::broken_connection &e) {
            log_warn(std::string("jobs: database unavailable: ") + e.what());
            wakeup.reset();
            listening = nullptr;
            db.reset();
            for (int i = 0; i < 10 && !g_stop; i++) usleep(100000);
        } catch (const std::exception &e) {
            log_error(std::string("jobs: ") + e.what());
            for (int i = 0; i < 10 && !g_stop; i++) usleep(100000);
        }
    }
    log_info("mskanban-jobs stopped");
    curl_global_cleanup();
    return 0;
}
