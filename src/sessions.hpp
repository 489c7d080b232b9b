// Sessions: a random 256-bit token in an HttpOnly cookie, stored only as its SHA-256.
// Valid while not revoked, younger than the absolute lifetime and used within the idle
// timeout (sliding: each use moves last_seen_at, at most once every 30 seconds).
#pragma once

#include <string>
#include <vector>

#include "config.hpp"
#include "db.hpp"
#include "error.hpp"

namespace msk {

class Redis;

constexpr const char *kSessionCookie = "mskanban_session";

struct SessionAuth {
    std::string session_id, user_id, email;
};

struct SessionRow {
    std::string id, created_at, last_seen_at, expires_at;
    std::optional<std::string> user_agent;
};

struct NewSession {
    std::string id, token, expires_at;
};

// Creates a session inside the caller's transaction.
NewSession create_session(pqxx::work &tx, const Config &cfg, const std::string &user_id,
                          const std::string &ip_hash, const std::string &user_agent);
// 401 for a missing, unknown, expired or revoked token.
Result<SessionAuth> authenticate(Tx &tx, const Config &cfg, const std::string &token);
Result<std::vector<SessionRow>> list_sessions(Tx &tx, const Config &cfg, const std::string &user_id);
// Revokes one of the user's sessions (404 when not theirs) and publishes the revocation
// so live streams and relays close it.
Status revoke_session(Tx &tx, Redis &redis, const std::string &user_id, const std::string &session_id);

// When the live session `session_id` of `user_id` ends unless it is used again (its idle
// or absolute expiry, unix seconds); 401 when it is revoked or expired.
Result<long long> session_end(Tx &tx, const Config &cfg, const std::string &session_id,
                              const std::string &user_id);

// Publishes a revocation notice on mskanban:revoke (best effort; logged when Redis is down).
void publish_revocation(Redis &redis, const std::string &json);
// The same, queued to run after `tx` commits.
void publish_revocation_after_commit(Tx &tx, Redis &redis, std::string json);

}  // namespace msk
