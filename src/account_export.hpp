// GET /me/export: everything the server holds about a user as one JSON document in the
// versioned schema "mskanban-export/1" (docs/export.md), written in pieces as the rows
// arrive, so a large account never sits in a worker's memory. Queries in
// src/queries/account_export.sql.
#pragma once

#include <functional>
#include <string>

#include "db.hpp"

namespace msk {

constexpr const char *kExportSchema = "mskanban-export/1";

// Receives the document piece by piece; returns false when the client has gone (the
// export stops).
using ExportSink = std::function<bool(const std::string &)>;

// Writes the export of `user_id` to `out` from one REPEATABLE READ READ ONLY transaction
// on `conn`, holding at most one batch of rows at a time. Returns false when the account
// does not exist (nothing written) or the sink gave up; throws what libpqxx throws (the
// document is then cut short, which no JSON parser accepts).
bool write_export(pqxx::connection &conn, const std::string &user_id, const ExportSink &out);

}  // namespace msk
