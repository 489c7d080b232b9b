// Idempotency-Key for POST: the first response to a (user, key) is stored in PostgreSQL
// for 24 hours and replayed to retries of the same request (same method, path and
// body); the same key with a different request is a 409. A claimed key holds a lease
// while its request runs: a concurrent retry gets a 409 "in progress", and a retry after
// a worker crash (lease expired, no response stored) runs the request again. Server
// errors (5xx) are not stored, so a retry after one acts again.
#pragma once

#include <string>

#include "db.hpp"
#include "error.hpp"

namespace msk {

constexpr int kIdempotencyHours = 24;
constexpr int kIdempotencyLeaseSeconds = 90;  // longer than any request may run

struct IdempotencyClaim {
    bool replay = false;  // true: answer with the stored response below
    int status = 0;
    std::string body;
};

// The request fingerprint stored with the key (hex SHA-256).
std::string idempotency_request_hash(const std::string &method, const std::string &path, const std::string &body);

// Claims `key` for this request, or finds the stored response. 400 for a malformed key
// (1 to 255 printable ASCII characters), 409 for a key used by another request or one
// still in flight.
Result<IdempotencyClaim> idempotency_claim(Db &db, const std::string &user_id, const std::string &key,
                                           const std::string &request_hash);
// Stores the response to a claimed key; a 5xx releases the claim instead.
void idempotency_finish(Db &db, const std::string &user_id, const std::string &key, int status,
                        const std::string &body);

}  // namespace msk
