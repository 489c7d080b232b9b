// mskanbanctl: the operator's tool. Commands:
//   migrate        apply pending sql/ migrations (safe to run twice, or concurrently)
//   check-config   load and validate the config; exit 1 naming the bad key
//   health         check PostgreSQL and Redis with the config's settings
//   gen-secrets    print a new secrets file (at_rest_key, hash_key) on stdout
//   gc             delete rows that can never be used again (ended sessions, expired
//                  idempotency keys, accounts deleted 30 days ago) and attachment files no row needs (of deleted
//                  cards, boards, workspaces; uploads that never committed, after an
//                  hour); safe to run at any time, e.g. daily from cron
//   check          report attachment rows whose file is missing (exit 1 if any)
#include <sodium.h>

#include <cstring>
#include <iostream>

#include "account_deletion.hpp"
#include "attachment_ctl.hpp"
#include "automation_claims.hpp"
#include "base64url.hpp"
#include "config.hpp"
#include "crypto.hpp"
#include "idempotency.hpp"
#include "migrate.hpp"
#include "redis.hpp"

using namespace msk;

static int usage() {
    std::cerr << "usage: mskanbanctl [-c mskanban.conf] migrate|check-config|health|gc|check|gen-secrets\n";
    return 2;
}

static int cmd_migrate(const Config &cfg) {
    try {
        pqxx::connection conn(cfg.database_url);
        auto applied = migrate(conn);
        if (!applied) {
            std::cerr << "mskanbanctl: " << applied.error().message << "\n";
            return 1;
        }
        for (const auto &name : *applied) std::cout << "applied " << name << "\n";
        std::cout << "schema at version " << schema_version(conn) << "\n";
        return 0;
    } catch (const std::exception &e) {
        std::cerr << "mskanbanctl: cannot migrate: " << e.what() << "\n";
        return 1;
    }
}

static int cmd_health(const Config &cfg) {
    bool db_up = false;
    int version = -1;
    try {
        pqxx::connection conn(cfg.database_url);
        version = schema_version(conn);
        db_up = true;
    } catch (const std::exception &e) {
        std::cerr << "database: " << e.what() << "\n";
    }
    Redis redis(cfg.redis_host, cfg.redis_port, cfg.redis_timeout_ms, cfg.redis_password, cfg.redis_db);
    bool redis_up = redis.command({"PING"}) != nullptr;
    std::cout << "{\"ok\":" << (db_up && redis_up ? "true" : "false") << ",\"db\":\"" << (db_up ? "up" : "down")
              << "\",\"redis\":\"" << (redis_up ? "up" : "down") << "\",\"schemaVersion\":" << version << "}\n";
    return db_up && redis_up ? 0 : 1;
}

static int cmd_gc(const Config &cfg) {
    try {
        Db db(cfg.database_url);
        pqxx::work tx(db.conn());
        auto sessions = tx.exec_prepared("gc_sessions", cfg.session_idle_s);
        auto keys = tx.exec_prepared("gc_idempotency_keys", kIdempotencyHours * 3600);
        // Old automation claims, all of them (batches keep each statement short).
        long claims = 0;
        for (long n = 1; n > 0; claims += n)
            n = static_cast<long>(
                tx.exec_prepared("gc_automation_claims", kAutomationClaimDays * 86400, 10000).affected_rows());
        long accounts = 0;
        for (long n = 1; n > 0; accounts += n) n = purge_deleted_accounts(tx, 1000);
        tx.commit();
        std::cout << "deleted " << sessions.affected_rows() << " ended sessions, " << keys.affected_rows()
                  << " expired idempotency keys\n";
        std::cout << "deleted " << claims << " old automation claims\n";
        std::cout << "hard-deleted " << accounts << " accounts deleted " << kDeletedAccountRetentionDays
                  << " days ago or more\n";
        auto files = gc_attachment_files(db.conn(), cfg, kOrphanMinAgeS);
        std::cout << "removed " << files.queued << " attachment files of deleted rows, " << files.orphans
                  << " uncommitted attachment files\n";
        return 0;
    } catch (const std::exception &e) {
        std::cerr << "mskanbanctl: gc failed: " << e.what() << "\n";
        return 1;
    }
}

// Rows whose attachment file is missing (or has another size than stored).
static int cmd_check(const Config &cfg) {
    try {
        Db db(cfg.database_url);
        long problems = check_attachment_files(db.conn(), cfg, std::cout);
        std::cout << (problems ? std::to_string(problems) + " problems\n" : std::string("attachments ok\n"));
        return problems ? 1 : 0;
    } catch (const std::exception &e) {
        std::cerr << "mskanbanctl: check failed: " << e.what() << "\n";
        return 1;
    }
}

static int cmd_gen_secrets() {
    std::cout << "# MSKanban server secrets. Keep this file private (mode 0600) and backed up:\n"
                 "# losing at_rest_key makes stored TOTP secrets unreadable.\n"
              << "at_rest_key = " << hex_encode(random_bytes(32)) << "\n"
              << "hash_key = " << hex_encode(random_bytes(32)) << "\n";
    return 0;
}

int main(int argc, char **argv) {
    std::string config_path = std::getenv("MSKANBAN_CONFIG") ? std::getenv("MSKANBAN_CONFIG") : "";
    int i = 1;
    if (i + 1 < argc && (!strcmp(argv[i], "-c") || !strcmp(argv[i], "--config"))) {
        config_path = argv[i + 1];
        i += 2;
    }
    if (i != argc - 1) return usage();
    std::string cmd = argv[i];
    if (!crypto_init()) return 1;
    if (cmd == "gen-secrets") return cmd_gen_secrets();
    auto cfg = load_config(config_path);
    if (!cfg) {
        std::cerr << "mskanbanctl: config error: " << cfg.error().message << "\n";
        return 1;
    }
    if (cmd == "check-config") {
        std::cout << "config ok\n";
        return 0;
    }
    if (cmd == "migrate") return cmd_migrate(*cfg);
    if (cmd == "health") return cmd_health(*cfg);
    if (cmd == "gc") return cmd_gc(*cfg);
    if (cmd == "check") return cmd_check(*cfg);
    return usage();
}
