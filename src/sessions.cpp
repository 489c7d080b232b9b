// Session tokens, lookup with sliding idle expiry, listing and revocation.
#include "sessions.hpp"

#include <atomic>
#include <deque>
#include <iterator>
#include <mutex>

#include "base64url.hpp"
#include "crypto.hpp"
#include "ids.hpp"
#include "json.hpp"
#include "log.hpp"
#include "redis.hpp"
#include "session_cache.hpp"

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
    // The process's cache first (src/session_cache.hpp); a session checked here is stored
    // unless a revocation notice arrived while the statement ran.
    SessionCache &cache = session_cache();
    int64_t started = steady_ms();
    if (auto hit = cache.get(*hash, started)) return *hit;
    uint64_t generation = cache.generation();
    auto r = tx.exec_prepared("session_by_token", *hash, cfg.session_idle_s);
    if (r.empty()) return unauthorized("session expired or invalid");
    auto a = session_from_row(tx, r[0]);
    if (a) cache.put(*hash, *a, started, r[0]["session_left_ms"].as<int64_t>(), generation);
    return a;
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

// XADD to the bounded revocation log and PUBLISH in one script, so the log and the channel
// hold revocations in the same order. The published payload is the notice with the log
// entry's id added as "streamId": the nginx module remembers the newest id it was sent and,
// after it lost Redis, reads the log after that id (docs/internals.md, "Revocations").
// KEYS: log, channel. ARGV: max length, notice (a JSON object). Returns the entry id.
static const char *kRevokeScript = R"LUA(
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'data', ARGV[2])
redis.call('PUBLISH', KEYS[2], string.sub(ARGV[2], 1, -2) .. ',"streamId":"' .. id .. '"}')
return id
)LUA";

// Revocations that could not be published (Redis down), oldest first, per process. They go
// out from the connect hook as soon as any thread of the process reaches Redis again, so a
// revocation made during an outage still reaches the module (live, or from the log when it
// resumes). A process that exits first loses them (docs/internals.md).
static std::mutex g_unsent_mu;
static std::deque<std::string> g_unsent;
static std::atomic<size_t> g_unsent_n{0};

static bool send_revocation(Redis &redis, const std::string &json) {
    auto id = redis.command({"EVAL", kRevokeScript, "2", kRevokeLog, kRevokeChannel,
                             std::to_string(kRevokeLogMaxLen), json});
    return id && id->type == REDIS_REPLY_STRING;
}

static void hold_revocation(std::string json) {
    std::lock_guard<std::mutex> lock(g_unsent_mu);
    if (g_unsent.size() >= kUnsentRevocationsMax) {
        g_unsent.pop_front();
        log_warn("revocation dropped: too many held while redis is down");
    }
    g_unsent.push_back(std::move(json));
    g_unsent_n = g_unsent.size();
}

void send_held_revocations(Redis &redis) {
    static thread_local bool sending = false;
    if (sending || g_unsent_n.load() == 0) return;
    sending = true;
    std::deque<std::string> batch;
    {
        std::lock_guard<std::mutex> lock(g_unsent_mu);
        batch.swap(g_unsent);
        g_unsent_n = 0;
    }
    // In order; the first failure (Redis down again) puts it and the rest back in front.
    size_t sent = 0;
    while (!batch.empty() && send_revocation(redis, batch.front())) {
        batch.pop_front();
        sent++;
    }
    if (!batch.empty()) {
        std::lock_guard<std::mutex> lock(g_unsent_mu);
        g_unsent.insert(g_unsent.begin(), std::make_move_iterator(batch.begin()),
                        std::make_move_iterator(batch.end()));
        while (g_unsent.size() > kUnsentRevocationsMax) g_unsent.pop_front();
        g_unsent_n = g_unsent.size();
    }
    sending = false;
    if (sent) log_info(std::to_string(sent) + " revocations held while redis was down published");
}

bool publish_revocation(Redis &redis, const std::string &json) {
    send_held_revocations(redis);
    if (send_revocation(redis, json)) return true;
    Redis::set_connect_hook(send_held_revocations);
    hold_revocation(json);
    log_warn("revocation not published (redis down or the script refused); held until redis is back");
    return false;
}

void publish_revocation_after_commit(Tx &tx, Redis &redis, std::string json) {
    tx.after_commit([&redis, json = std::move(json)] {
        // the request answers after the barrier, which waits longer for a held notice
        note_revocation_published(publish_revocation(redis, json));
    });
}

}  // namespace msk
