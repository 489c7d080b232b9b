// Workers' opportunistic clean-up (see housekeeping.hpp). Queries in src/queries/gc.sql
// and src/queries/idempotency.sql.
#include "housekeeping.hpp"

#include "attachments.hpp"
#include "automation_claims.hpp"
#include "idempotency.hpp"
#include "log.hpp"

namespace msk {

void housekeeping_tick(Db &db, const Config &cfg, int64_t now_ms, int64_t &next_ms) {
    if (now_ms < next_ms) return;
    next_ms = now_ms + kHousekeepingIntervalMs;
    try {
        pqxx::work tx(db.conn());
        if (!tx.exec_prepared("gc_try_lock")[0]["locked"].as<bool>()) return;
        auto keys = tx.exec_prepared("idem_gc_batch", kIdempotencyHours * 3600, kHousekeepingBatch);
        auto sessions = tx.exec_prepared("gc_sessions_batch", cfg.session_idle_s, kHousekeepingBatch);
        auto claims = tx.exec_prepared("gc_automation_claims", kAutomationClaimDays * 86400, kHousekeepingBatch);
        tx.commit();
        // Files of deleted cards, boards and workspaces (queued by a trigger).
        long files = purge_attachment_trash(db.conn(), cfg, kHousekeepingBatch);
        if (files) log_info("housekeeping: removed " + std::to_string(files) + " attachment files of deleted rows");
        if (keys.affected_rows() || sessions.affected_rows() || claims.affected_rows())
            log_info("housekeeping: deleted " + std::to_string(keys.affected_rows()) + " expired idempotency keys, " +
                     std::to_string(sessions.affected_rows()) + " ended sessions, " +
                     std::to_string(claims.affected_rows()) + " old automation claims");
    } catch (const pqxx::broken_connection &e) {
        db.reset();
        log_warn(std::string("housekeeping skipped: ") + e.what());
    } catch (const std::exception &e) {
        log_warn(std::string("housekeeping failed: ") + e.what());
    }
}

}  // namespace msk
