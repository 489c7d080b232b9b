// Migration runner.
#include "migrate.hpp"

#include <set>

namespace msk {

// An arbitrary constant naming our advisory lock ("msk" "mig").
static const long long kMigrationLock = 0x6d736b6d6967LL;

Result<std::vector<std::string>> migrate(pqxx::connection &conn) {
    std::vector<std::string> applied;
    try {
        pqxx::work tx(conn);
        tx.exec_params("SELECT pg_advisory_xact_lock($1)", kMigrationLock);
        tx.exec(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version integer PRIMARY KEY, name text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())");
        std::set<int> done;
        for (const auto &row : tx.exec("SELECT version FROM schema_migrations"))
            done.insert(row[0].as<int>());
        for (size_t i = 0; i < kMigrationCount; i++) {
            const Migration &m = kMigrations[i];
            if (done.count(m.version)) continue;
            tx.exec(m.sql);
            tx.exec_params("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                           m.version, std::string(m.name));
            applied.push_back(m.name);
        }
        tx.commit();
    } catch (const pqxx::sql_error &e) {
        return internal(std::string("migration failed: ") + e.what());
    }
    return applied;
}

int schema_version(pqxx::connection &conn) {
    pqxx::work tx(conn);
    auto r = tx.exec("SELECT to_regclass('schema_migrations') IS NOT NULL");
    if (!r[0][0].as<bool>()) return -1;
    auto v = tx.exec("SELECT coalesce(max(version), 0) FROM schema_migrations");
    return v[0][0].as<int>();
}

}  // namespace msk
