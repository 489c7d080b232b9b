// Session tokens, lookup with sliding idle expiry, listing and revocation.
#include "sessions.hpp"

#include "base64url.hpp"
#include "crypto.hpp"
#include "ids.hpp"
#include "json.hpp"
#include "log.hpp"
#include "redis.hpp"

namespace msk {

static std::string token_hash(const std::string &token) { return hex_encode(sha256(token)); }

NewSession create_session(pqxx::work &tx, const Config &cfg, const std::string &user_id,
                          const std::string &ip_hash, const std::string &user_agent) {
    NewSession s;
    s.token = b64url_encode(random_bytes(32));
    std::string id = new_id();
    auto r = tx.exec_prepared("session_insert", id, user_id, token_hash(s.token),
                              cfg.session_absolute_s, ip_hash, user_agent.substr(0, 256));
    s.id = r[0]["id"].as<std::string>();
    s.expires_at = r[0]["expires_at"].as<std::string>();
    return s;
}

Result<std::string> session_token_hash(const std::string &token) {
    // A well-formed token is 43 base64url characters; anything else cannot match.
    if (token.size() != 43 || !b64url_decode(token)) return unauthorized();
    return token_hash(token);
}

Result<SessionAuth> session_from_row(Tx &tx, const pqxx::row &r) {
    if (r["session_id"].is_null()) return unauthorized("session expired or invalid");
    SessionAuth a{r["session_id"].as<std::string>(), r["session_user_id"].as<std::string>(),
                  r["session_email"].as<std::string>()};
    if (r["session_idle_s"].as<long>() >= 30) tx.exec_prepared("session_touch", a.session_id);
    return a;
}

Result<SessionAuth> authenticate(Tx &tx, const Config &cfg, const std::string &token) {
    auto hash = session_token_hash(token);
    if (!hash) return hash.error();
    auto r = tx.exec_prepared("session_by_token", *hash, cfg.session_idle_s);
    if (r.empty()) return unauthorized("session expired or invalid");
    return session_from_row(tx, r[0]);
}

Result<std::vector<SessionRow>> list_sessions(Tx &tx, const Config &cfg, const std::string &user_id) {
    std::vector<SessionRow> out;
    for (const auto &row : tx.exec_prepared("sessions_of_user", user_id, cfg.session_idle_s))
        out.push_back({row["id"].as<std::string>(), row["created_at"].as<std::string>(),
                       row["last_seen_at"].as<std::string>(), row["expires_at"].as<std::string>(),
                       opt_str(row, "user_agent")});
    return out;
}

// The notice that closes the live connections of one session.
static std::string session_revocation(const std::string &user_id, const std::string &session_id) {
    JsonPtr j = own(json_pack("{s:s, s:s, s:s}", "type", "session", "sessionId", session_id.c_str(),
                              "userId", user_id.c_str()));
    return dump(j.get());
}

Status revoke_session(Tx &tx, Redis &redis, const std::string &user_id, const std::string &session_id) {
    auto r = tx.exec_prepared("session_revoke", session_id, user_id);
    if (r.empty()) return not_found("no such session");
    publish_revocation_after_commit(tx, redis, session_revocation(user_id, session_id));
    return ok_status();
}

int revoke_all_sessions(Tx &tx, Redis &redis, const std::string &user_id) {
    auto r = tx.exec_prepared("sessions_revoke_all", user_id);
    for (const auto &row : r)
        publish_revocation_after_commit(tx, redis, session_revocation(user_id, row["id"].as<std::string>()));
    return static_cast<int>(r.size());
}

Result<long long> session_end(Tx &tx, const Config &cfg, const std::string &session_id,
                              const std::string &user_id) {
    auto r = tx.exec_prepared("session_end", session_id, user_id, cfg.session_idle_s);
    if (r.empty()) return unauthorized("session expired or invalid");
    return r[0]["ends"].as<long long>();
}

void publish_revocation(Redis &redis, const std::string &json) {
    if (!redis.command({"PUBLISH", "mskanban:revoke", json}))
        log_warn("revocation not published (redis down); live connections close on their next check");
}

void publish_revocation_after_commit(Tx &tx, Redis &redis, std::string json) {
    tx.after_commit([&redis, json = std::move(json)] { publish_revocation(redis, json); });
}

}  // namespace msk
