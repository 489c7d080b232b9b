// Sessions: a random 256-bit token in an HttpOnly cookie, stored only as its SHA-256.
// Valid while not revoked, younger than the absolute lifetime and used within the idle
// timeout (sliding: each use moves last_seen_at, at most once every 30 seconds).
#pragma once

#include <functional>
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

// Access::session_in_query: the handler's first statement also looks the session up
// (FROM msk_session($n, $m), sql/013_hot_path.sql), which saves the request a round trip.
// Its rows carry session_id, session_user_id, session_email and session_idle_s; no row
// means no live session.
// When the session came from the process's session cache (src/session_cache.hpp),
// `user_id` is set and the handler runs the statement's by-user form instead (run()).
struct SessionQuery {
    std::string token_hash;
    int idle_s = 0;
    std::string user_id;  // set: the session is already checked; run the by-user form
    // Set by the dispatcher: 401 for no row; else takes the session from the first row
    // (session_from_row) and applies the route's rate limit. Call it on the statement's
    // result before using anything else in it. (With user_id set it accepts any result:
    // the by-user form has no session columns.)
    std::function<Status(const pqxx::result &)> accept;

    // Runs `with_session` ($1 token hash, $2 idle limit, then `args`) or, with user_id
    // set, `by_user` (`args`, then the user id).
    template <class... Args>
    pqxx::result run(Tx &tx, const char *with_session, const char *by_user, Args &&...args) const {
        if (!user_id.empty()) return tx.exec_prepared(by_user, std::forward<Args>(args)..., user_id);
        return tx.exec_prepared(with_session, token_hash, idle_s, std::forward<Args>(args)...);
    }
};
// The stored hash of a session token; 401 for a token that cannot be one of ours.
Result<std::string> session_token_hash(const std::string &token);
// The session part of a row of session_by_token or a statement that joins msk_session(),
// touching the session (sliding idle expiry) when it was idle 30 s or more.
Result<SessionAuth> session_from_row(Tx &tx, const pqxx::row &r);

// Creates a session inside the caller's transaction.
NewSession create_session(pqxx::work &tx, const Config &cfg, const std::string &user_id,
                          const std::string &ip_hash, const std::string &user_agent);
// 401 for a missing, unknown, expired or revoked token.
Result<SessionAuth> authenticate(Tx &tx, const Config &cfg, const std::string &token);
Result<std::vector<SessionRow>> list_sessions(Tx &tx, const Config &cfg, const std::string &user_id);
// Revokes one of the user's sessions (404 when not theirs) and publishes the revocation
// so live streams and relays close it.
Status revoke_session(Tx &tx, Redis &redis, const std::string &user_id, const std::string &session_id);
// Revokes every session of the user (account recovery, deletion) and publishes each
// revocation after commit, as revoke_session does; returns how many there were.
int revoke_all_sessions(Tx &tx, Redis &redis, const std::string &user_id);

// When the live session `session_id` of `user_id` ends unless it is used again (its idle
// or absolute expiry, unix seconds); 401 when it is revoked or expired.
Result<long long> session_end(Tx &tx, const Config &cfg, const std::string &session_id,
                              const std::string &user_id);

// Redis names of revocations (docs/internals.md): each notice is appended to the log (a
// stream trimmed to about kRevokeLogMaxLen entries) and published on the channel; the nginx
// module reads NGX_HTTP_MSKANBAN_REVOKE_CHANNEL and _LOG (ngx_http_mskanban_module.h).
constexpr const char *kRevokeChannel = "mskanban:revoke";
constexpr const char *kRevokeLog = "mskanban:revoke:log";
constexpr int kRevokeLogMaxLen = 10000;
// Revocations a process holds while Redis is down, at most (the oldest are dropped).
constexpr size_t kUnsentRevocationsMax = 100000;

// Appends a revocation notice (a JSON object) to the log and publishes it on the channel
// with the entry's id as "streamId". When Redis is down the notice is held in the process
// and sent by send_held_revocations, which the Redis connect hook runs on reconnection.
// True when it went out now; false when it is held (an error reply counts as not sent).
bool publish_revocation(Redis &redis, const std::string &json);
// Sends the notices held while Redis was down (those that fail again stay held).
void send_held_revocations(Redis &redis);
// The same, queued to run after `tx` commits.
void publish_revocation_after_commit(Tx &tx, Redis &redis, std::string json);

}  // namespace msk
