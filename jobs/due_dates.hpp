// Due dates in mskanban-jobs: CARD_DUE_REACHED once per card and due date, when the date
// has passed (also for dates that passed while no runner ran), again only after the due
// date changes. Each event is an activity row (so it gets its webhook deliveries) and a
// board tick, written under the board's lock like any board change.
#pragma once

#include "config.hpp"
#include "db.hpp"

namespace msk {

class Redis;

// Emits the events of up to `batch` cards; returns how many were emitted.
int run_due_dates(Db &db, Redis &redis, int batch);

}  // namespace msk
