// Opportunistic clean-up by the FastCGI workers, so rows that can never be used again go
// without an operator or a timer: what `mskanbanctl gc` deletes (expired Idempotency-Key
// records, ended sessions, old automation claims, files of deleted attachments), in small batches, between requests. Each worker thread tries
// at most once a minute; an advisory lock lets one worker at a time do it.
#pragma once

#include <cstdint>

#include "config.hpp"
#include "db.hpp"

namespace msk {

constexpr int64_t kHousekeepingIntervalMs = 60 * 1000;
constexpr int kHousekeepingBatch = 500;

// Runs one bounded clean-up when `now_ms` has reached `next_ms`, then moves `next_ms` on.
// Never throws: a failure is logged and tried again at the next interval.
void housekeeping_tick(Db &db, const Config &cfg, int64_t now_ms, int64_t &next_ms);

}  // namespace msk
