// PostgreSQL access: one connection per worker thread, reconnected on demand, with every
// named query from src/queries/*.sql prepared on it. A broken connection surfaces as
// pqxx::broken_connection; the dispatcher answers 503 and calls reset().
#pragma once

#include <pqxx/pqxx>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

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
    // `session_sql` (e.g. SET statement_timeout = ...) runs on every new connection.
    explicit Db(std::string url, std::string session_sql = "")
        : url_(std::move(url)), session_sql_(std::move(session_sql)) {}
    // A live connection with all queries prepared; a connection the server has closed is
    // replaced first. Throws pqxx::broken_connection when the server cannot be reached.
    pqxx::connection &conn();
    // Forget the connection after a failure; the next conn() reconnects.
    void reset() { c_.reset(); }
    const std::string &url() const { return url_; }

private:
    std::string url_, session_sql_;
    std::unique_ptr<pqxx::connection> c_;
};

// The request's one transaction (docs/internals.md, "Transactions"). The dispatcher owns
// it: the session lookup, the authorization check, the handler's work and the stored
// Idempotency-Key response all run in it, and the dispatcher commits it once after the
// handler succeeded; an error, an exception or a destroyed Tx rolls back. It begins on
// first use, so a request that never touches PostgreSQL costs no BEGIN. A read-only Tx
// (GET and HEAD: set_read_only()) sends no BEGIN and no COMMIT at all: each statement
// runs on its own, which in READ COMMITTED sees what a transaction would (every
// statement takes its own snapshot either way), and saves two of the request's round
// trips (docs/internals.md, "Where the time goes"). Work that must
// only happen once the change is durable (Redis ticks, revocation notices) is queued with
// after_commit() and runs after a successful commit; it is dropped on rollback.
// Domain functions take a Tx & and use it like a pqxx::work (exec_prepared, or pass it
// where a pqxx::transaction_base & is expected); they never commit it themselves.
// Only mutations may ask for the pqxx::work itself (work()).
class Tx {
public:
    explicit Tx(Db &db) : db_(db) {}
    Tx(const Tx &) = delete;
    Tx &operator=(const Tx &) = delete;

    // Before first use: run without BEGIN/COMMIT (a request that only reads).
    void set_read_only(bool read_only) { read_only_ = read_only; }
    // Before first use: a mutation whose write is one statement (Route::autocommit) runs
    // the same way, each statement committing on its own; begin() turns the rest of the
    // request into one transaction when a handler needs several statements after all.
    void set_autocommit() { read_only_ = true; }
    bool autocommit() const { return read_only_; }
    // From here on, one transaction (a no-op when the Tx already is one).
    void begin();
    // The open transaction, begun on first use (a pqxx::nontransaction when read-only).
    pqxx::transaction_base &txn();
    operator pqxx::transaction_base &() { return txn(); }
    // The pqxx::work of a read-write Tx; throws std::logic_error on a read-only one.
    pqxx::work &work();
    operator pqxx::work &() { return work(); }
    template <class... Args>
    pqxx::result exec_prepared(const std::string &name, Args &&...args) {
        return txn().exec_prepared(name, std::forward<Args>(args)...);
    }
    bool begun() const { return w_ != nullptr; }

    // Queues `f` to run after a successful commit (in order). Must not throw.
    void after_commit(std::function<void()> f) { after_.push_back(std::move(f)); }
    // The workspace and board the request changed (set by record_activity); an
    // Idempotency-Key response is stored under them and deleted with them.
    void note_scope(const std::string &workspace_id, const std::string &board_id);
    const std::string &workspace_scope() const { return workspace_; }
    const std::string &board_scope() const { return board_; }

    // Commits (when begun), then runs the queued after-commit work. Throws what
    // pqxx::work::commit throws: pqxx::in_doubt_error when the connection was lost while
    // committing (the outcome is unknown).
    void commit();
    // Rolls back (when begun) and drops the queued work. Never throws.
    void rollback() noexcept;

private:
    Db &db_;
    bool read_only_ = false;
    std::unique_ptr<pqxx::transaction_base> w_;
    std::vector<std::function<void()>> after_;
    std::string workspace_, board_;
};

// Reads column `col` of a row as an optional string (NULL -> nullopt).
inline std::optional<std::string> opt_str(const pqxx::row &r, const char *col) {
    if (r[col].is_null()) return std::nullopt;
    return r[col].as<std::string>();
}

}  // namespace msk
