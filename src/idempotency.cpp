// Stored POST responses for Idempotency-Key (see idempotency.hpp). Queries in
// src/queries/idempotency.sql.
#include "idempotency.hpp"

#include "base64url.hpp"
#include "crypto.hpp"
#include "log.hpp"

namespace msk {

std::string idempotency_request_hash(const std::string &method, const std::string &path, const std::string &body) {
    return hex_encode(sha256(method + '\0' + path + '\0' + body));
}

Result<IdempotencyClaim> idempotency_claim(Db &db, const std::string &user_id, const std::string &key,
                                           const std::string &request_hash) {
    bool printable = !key.empty() && key.size() <= 255;
    for (char c : key) printable = printable && c >= 0x20 && c < 0x7f;
    if (!printable) return bad_request("Idempotency-Key must be 1 to 255 printable ASCII characters");
    pqxx::work tx(db.conn());
    // A fresh claim, or a takeover of an expired key or of a lease left by a crash.
    auto claimed = tx.exec_prepared("idem_claim", user_id, key, request_hash, kIdempotencyLeaseSeconds,
                                    kIdempotencyHours * 3600);
    if (!claimed.empty()) {
        tx.commit();
        return IdempotencyClaim{};
    }
    auto r = tx.exec_prepared("idem_get", user_id, key);
    tx.commit();
    if (r.empty()) return conflict("this Idempotency-Key is busy; retry shortly");
    if (r[0]["request_hash"].as<std::string>() != request_hash)
        return conflict("this Idempotency-Key was already used for a different request");
    if (r[0]["status"].is_null()) return conflict("a request with this Idempotency-Key is still in progress");
    return IdempotencyClaim{true, r[0]["status"].as<int>(), r[0]["response_body"].as<std::string>()};
}

void idempotency_finish(Db &db, const std::string &user_id, const std::string &key, int status,
                        const std::string &body) {
    try {
        pqxx::work tx(db.conn());
        if (status >= 500) tx.exec_prepared("idem_release", user_id, key);
        else tx.exec_prepared("idem_store", user_id, key, status, body);
        tx.commit();
    } catch (const std::exception &e) {
        // The lease expires on its own; a retry then runs the request again.
        log_warn(std::string("idempotency response not stored: ") + e.what());
    }
}

}  // namespace msk
