// Periodic clean-up (see gc.hpp). Queries in src/queries/gc.sql and jobs.sql.
#include "gc.hpp"

#include "account_deletion.hpp"
#include "automation_claims.hpp"
#include "idempotency.hpp"
#include "log.hpp"

namespace msk {

// Old automation claims deleted per run (the rest go at the next run).
constexpr long kGcClaimBatch = 10000;
// Deleted accounts hard-deleted per run (each may clear author columns in many rows).
constexpr long kGcAccountBatch = 100;

void run_gc(Db &db, const Config &cfg) {
    try {
        pqxx::work tx(db.conn());
        if (!tx.exec_prepared("gc_try_lock")[0]["locked"].as<bool>()) return;
        auto sessions = tx.exec_prepared("gc_sessions", cfg.session_idle_s);
        auto keys = tx.exec_prepared("gc_idempotency_keys", kIdempotencyHours * 3600);
        auto deliveries = tx.exec_prepared("jobs_gc_deliveries", kDeliveryRetentionDays * 86400);
        auto claims = tx.exec_prepared("gc_automation_claims", kAutomationClaimDays * 86400, kGcClaimBatch);
        long accounts = purge_deleted_accounts(tx, kGcAccountBatch);
        tx.commit();
        if (accounts)
            log_info("jobs: gc hard-deleted " + std::to_string(accounts) + " accounts deleted " +
                     std::to_string(kDeletedAccountRetentionDays) + " days ago or more");
        log_info("jobs: gc deleted " + std::to_string(sessions.affected_rows()) + " ended sessions, " +
                 std::to_string(keys.affected_rows()) + " expired idempotency keys, " +
                 std::to_string(deliveries.affected_rows()) + " finished deliveries, " +
                 std::to_string(claims.affected_rows()) + " old automation claims");
    } catch (const pqxx::broken_connection &e) {
        db.reset();
        log_warn(std::string("jobs: gc skipped: ") + e.what());
    } catch (const std::exception &e) {
        log_warn(std::string("jobs: gc failed: ") + e.what());
    }
}

}  // namespace msk
