// PostgreSQL access: one connection per worker thread, reconnected on demand, with every
// named query from src/queries/*.sql prepared on it. A broken connection surfaces as
// pqxx::broken_connection; the dispatcher answers 503 and calls reset().
#pragma once

#include <pqxx/pqxx>

#include <memory>
#include <optional>
#include <string>

// std::optional<T> works as a query parameter (nullopt -> NULL) and as a read type: in
// C++17, libpqxx 6.4 provides string_traits for it (pqxx/internal/type_utils.hxx); a
// second specialization here would make every use ambiguous.

namespace msk {

// The named queries compiled in from src/queries/*.sql (generated file).
struct QueryDef {
    const char *name;
    const char *sql;
};
extern const QueryDef kQueries[];
extern const size_t kQueryCount;

class Db {
public:
    explicit Db(std::string url) : url_(std::move(url)) {}
    // A live connection with all queries prepared; a connection the server has closed is
    // replaced first. Throws pqxx::broken_connection when the server cannot be reached.
    pqxx::connection &conn();
    // Forget the connection after a failure; the next conn() reconnects.
    void reset() { c_.reset(); }
    const std::string &url() const { return url_; }

private:
    std::string url_;
    std::unique_ptr<pqxx::connection> c_;
};

// Reads column `col` of a row as an optional string (NULL -> nullopt).
inline std::optional<std::string> opt_str(const pqxx::row &r, const char *col) {
    if (r[col].is_null()) return std::nullopt;
    return r[col].as<std::string>();
}

}  // namespace msk
