// Connection management for the per-thread PostgreSQL connection.
#include "db.hpp"

#include <sys/socket.h>

#include <stdexcept>

namespace msk {

pqxx::connection &Db::conn() {
    if (c_ && !c_->is_open()) c_.reset();
    // A cheap, non-blocking look at the idle socket: a connection the server closed
    // (PostgreSQL restarted) shows end-of-file or its termination message here, so it is
    // replaced before a transaction starts on it instead of failing the request. An idle
    // connection of ours never has anything else to read (we do not LISTEN).
    if (c_) {
        char byte;
        int fd = c_->sock();
        if (fd < 0 || recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) >= 0) c_.reset();
    }
    if (!c_) {
        auto c = std::make_unique<pqxx::connection>(url_);
        if (!session_sql_.empty()) {
            pqxx::nontransaction n(*c);
            n.exec(session_sql_);
        }
        for (size_t i = 0; i < kQueryCount; i++) c->prepare(kQueries[i].name, kQueries[i].sql);
        c_ = std::move(c);
    }
    return *c_;
}

pqxx::transaction_base &Tx::txn() {
    if (!w_) {
        if (read_only_) w_ = std::make_unique<pqxx::nontransaction>(db_.conn());
        else w_ = std::make_unique<pqxx::work>(db_.conn());
    }
    return *w_;
}

pqxx::work &Tx::work() {
    if (read_only_) throw std::logic_error("a read-only request asked for a transaction");
    return static_cast<pqxx::work &>(txn());
}

void Tx::begin() {
    if (!read_only_) return;
    // What ran so far has committed statement by statement; the queued after-commit work
    // waits for the transaction's COMMIT.
    if (w_) {
        w_->commit();
        w_.reset();
    }
    read_only_ = false;
}

void Tx::note_scope(const std::string &workspace_id, const std::string &board_id) {
    if (!workspace_id.empty()) workspace_ = workspace_id;
    if (!board_id.empty()) board_ = board_id;
}

void Tx::commit() {
    if (w_) {
        w_->commit();
        w_.reset();
    }
    auto after = std::move(after_);
    after_.clear();
    for (auto &f : after) f();
}

void Tx::rollback() noexcept {
    after_.clear();
    workspace_.clear();
    board_.clear();
    if (!w_) return;
    try {
        w_->abort();
    } catch (...) {
        // A broken connection aborts the transaction on the server anyway.
    }
    w_.reset();
}

}  // namespace msk
