// Idempotency-Key for mutations (POST, PATCH, PUT, DELETE with a session): the first
// successful (2xx) response to a (user, key) is stored for 24 hours and replayed to
// retries of the same request (same method, path and body); the same key with another
// request is a 409. The claim, the handler's work and the stored response are written in
// the request's one transaction (Tx), so a retry sees either nothing (the first attempt
// rolled back, or never ran: it runs now) or the stored answer; a retry that arrives
// while the first attempt is still running waits on the claimed row and then replays.
// Errors are not stored (their transaction rolls back with the claim). Routes whose
// response carries a secret or whose replay has no meaning are never stored
// (Route::idempotency, fcgi/routes.hpp). See docs/internals.md, "Idempotency".
#pragma once

#include <string>

#include "db.hpp"
#include "error.hpp"

namespace msk {

constexpr int kIdempotencyHours = 24;

struct IdempotencyClaim {
    bool replay = false;  // true: answer with the stored response below
    int status = 0;
    std::string body;
};

// The request fingerprint stored with the key (hex SHA-256).
std::string idempotency_request_hash(const std::string &method, const std::string &path, const std::string &body);

// Claims `key` in the request's transaction, or finds the stored response (waiting for a
// concurrent holder of the key to finish). 400 for a malformed key (1 to 255 printable
// ASCII characters), 409 for a key used by another request.
Result<IdempotencyClaim> idempotency_claim(Tx &tx, const std::string &user_id, const std::string &key,
                                           const std::string &request_hash);
// Stores the response to a claimed key in the same transaction, under the workspace and
// board the request changed (tx's scope), so deleting them deletes the record.
void idempotency_store(Tx &tx, const std::string &user_id, const std::string &key, int status,
                       const std::string &body);

}  // namespace msk
