// Forward-only schema migrations from sql/NNN_name.sql, compiled into the binary. All
// pending migrations run in one transaction under an advisory lock, recorded in
// schema_migrations, so running twice, or from two processes at once, is safe.
#pragma once

#include <string>
#include <vector>

#include "db.hpp"
#include "error.hpp"

namespace msk {

struct Migration {
    int version;
    const char *name;
    const char *sql;
};
extern const Migration kMigrations[];
extern const size_t kMigrationCount;

// Applies what is missing; returns the names applied (empty when up to date).
Result<std::vector<std::string>> migrate(pqxx::connection &conn);
// The highest applied version, or 0; -1 when the schema table does not exist.
int schema_version(pqxx::connection &conn);

}  // namespace msk
