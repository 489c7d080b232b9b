// Connection management for the per-thread PostgreSQL connection.
#include "db.hpp"

namespace msk {

pqxx::connection &Db::conn() {
    if (c_ && !c_->is_open()) c_.reset();
    if (!c_) {
        auto c = std::make_unique<pqxx::connection>(url_);
        for (size_t i = 0; i < kQueryCount; i++) c->prepare(kQueries[i].name, kQueries[i].sql);
        c_ = std::move(c);
    }
    return *c_;
}

}  // namespace msk
