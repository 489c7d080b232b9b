// Stored mutation responses for Idempotency-Key (see idempotency.hpp). Queries in
// src/queries/idempotency.sql.
#include "idempotency.hpp"

#include "base64url.hpp"
#include "crypto.hpp"

namespace msk {

std::string idempotency_request_hash(const std::string &method, const std::string &path, const std::string &body) {
    return hex_encode(sha256(method + '\0' + path + '\0' + body));
}

Result<IdempotencyClaim> idempotency_claim(Tx &tx, const std::string &user_id, const std::string &key,
                                           const std::string &request_hash) {
    bool printable = !key.empty() && key.size() <= 255;
    for (char c : key) printable = printable && c >= 0x20 && c < 0x7f;
    if (!printable) return bad_request("Idempotency-Key must be 1 to 255 printable ASCII characters");
    if (!tx.exec_prepared("idem_claim", user_id, key, request_hash, kIdempotencyHours * 3600).empty())
        return IdempotencyClaim{};
    // A live record: committed by an earlier attempt (the claim above waited for it).
    auto r = tx.exec_prepared("idem_get", user_id, key);
    if (r.empty() || r[0]["status"].is_null()) return conflict("this Idempotency-Key is busy; retry shortly");
    if (r[0]["request_hash"].as<std::string>() != request_hash)
        return conflict("this Idempotency-Key was already used for a different request");
    return IdempotencyClaim{true, r[0]["status"].as<int>(), r[0]["response_body"].as<std::string>()};
}

void idempotency_store(Tx &tx, const std::string &user_id, const std::string &key, int status,
                       const std::string &body) {
    std::optional<std::string> ws, board;
    if (!tx.workspace_scope().empty()) ws = tx.workspace_scope();
    if (!tx.board_scope().empty()) board = tx.board_scope();
    tx.exec_prepared("idem_store", user_id, key, status, body, ws, board);
}

}  // namespace msk
