// Connection management for the per-thread PostgreSQL connection.
#include "db.hpp"

#include <sys/socket.h>

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
        for (size_t i = 0; i < kQueryCount; i++) c->prepare(kQueries[i].name, kQueries[i].sql);
        c_ = std::move(c);
    }
    return *c_;
}

}  // namespace msk
