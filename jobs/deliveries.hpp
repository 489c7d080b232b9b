// Webhook deliveries in mskanban-jobs: claim a batch of due deliveries (a lease, see
// src/queries/jobs.sql), sign and send them concurrently (sender.hpp), and record each
// attempt as it completes, with the next state from policy.hpp.
#pragma once

#include "config.hpp"
#include "db.hpp"
#include "sender.hpp"

namespace msk {

// The lease of a claimed delivery: longer than any send can take.
int64_t delivery_lease_ms(const Config &cfg);
// Claims and sends up to `batch` due deliveries; returns how many were claimed.
// Throws what libpqxx throws (the caller resets the connection).
int run_deliveries(Db &db, const Config &cfg, Sender &sender, int batch);
// Milliseconds until the next pending delivery is due (clamped to [0, max_ms]).
int64_t next_delivery_due_ms(Db &db, int64_t max_ms);

}  // namespace msk
