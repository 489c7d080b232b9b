// Login guard: the per-account backoff and lock that every secret check of an account
// shares (login, TOTP codes, account recovery). Failures are counted in Redis under a
// keyed hash of the email, so unknown and known emails behave alike; without Redis there
// is no brute-force protection, so callers fail closed (503).
#pragma once

#include <cstdint>
#include <string>

#include "config.hpp"
#include "db.hpp"
#include "error.hpp"

namespace msk {

class Redis;

// The Redis key of `email`'s recent failures.
std::string failures_key(const Config &cfg, const std::string &email);
// Before a secret is checked: 503 without Redis, 429 (with Retry-After) while the account
// must wait, ok otherwise.
Status check_backoff(Redis &redis, const Config &cfg, const std::string &fkey, int64_t now_ms);
// Counts one failed attempt at `now_ms`.
void record_failure(Redis &redis, const std::string &fkey, const Config &cfg, int64_t now_ms);
// Clears the count once `tx` commits (a successful attempt).
void clear_failures_after_commit(Tx &tx, Redis &redis, const std::string &fkey);
// An Argon2id PHC string of a fixed input, verified against when the account is unknown
// (or has no such secret), so a failed check costs the same time either way.
const std::string &dummy_hash(const Config &cfg);

}  // namespace msk
