// The runner's periodic clean-up, so an operator needs no cron entry: what `mskanbanctl
// gc` deletes (ended sessions, expired Idempotency-Key records), finished webhook
// deliveries older than kDeliveryRetentionDays and automation claims older than
// kAutomationClaimDays. One runner at a time (an advisory lock).
#pragma once

#include "config.hpp"
#include "db.hpp"

namespace msk {

constexpr long kDeliveryRetentionDays = 30;

// Runs the clean-up; never throws (a failure is logged and tried at the next interval).
void run_gc(Db &db, const Config &cfg);

}  // namespace msk
