// Webhooks (see webhooks.hpp). Queries in src/queries/webhooks.sql.
#include "webhooks.hpp"

#include "authz.hpp"
#include "base64url.hpp"
#include "crypto.hpp"
#include "ids.hpp"
#include "netguard.hpp"

namespace msk {

namespace {

std::vector<std::string> split_events(const std::string &joined) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start < joined.size()) {
        size_t comma = joined.find(',', start);
        if (comma == std::string::npos) comma = joined.size();
        out.push_back(joined.substr(start, comma - start));
        start = comma + 1;
    }
    return out;
}

std::string join_events(const std::vector<std::string> &events) {
    std::string out;
    for (const auto &e : events) out += (out.empty() ? "" : ",") + e;
    return out;
}

Webhook webhook_from(const pqxx::row &r) {
    Webhook w;
    w.id = r["id"].as<std::string>();
    w.board_id = r["board_id"].as<std::string>();
    w.url = r["url"].as<std::string>();
    w.events = split_events(r["events"].as<std::string>());
    w.enabled = r["enabled"].as<bool>();
    w.created_at = r["created_at"].as<std::string>();
    w.updated_at = r["updated_at"].as<std::string>();
    return w;
}

// "whsec_" + 32 random bytes in base64url: the HMAC key is this whole string.
std::string new_secret() { return "whsec_" + b64url_encode(random_bytes(32)); }

// The webhook's board, after the owner check (404 for a missing webhook or a non-member).
Result<Grant> authorize_webhook(Tx &tx, const std::string &user_id, const std::string &webhook_id) {
    auto r = tx.exec_prepared("webhook_board", webhook_id);
    if (r.empty()) return not_found("no such webhook");
    return authorize_board(tx, user_id, r[0]["board_id"].as<std::string>(), Need::manage);
}

}  // namespace

std::string webhook_secret_label(const std::string &webhook_id) { return "webhook:" + webhook_id; }

bool is_event_verb(const std::string &verb) {
    if (verb.size() < 3 || verb.size() > 64) return false;
    bool underscore = false;
    for (size_t i = 0; i < verb.size(); ++i) {
        char c = verb[i];
        if (c == '_') {
            if (i == 0) return false;
            underscore = true;
        } else if (c < 'A' || c > 'Z') {
            return false;
        }
    }
    return underscore && verb.back() != '_';
}

Status check_webhook_url(const Config &cfg, const std::string &url) {
    auto u = parse_webhook_url(url);
    if (!u.url) return bad_request("\"url\": " + u.error);
    if (u.url->host_is_ip) {
        std::vector<Cidr> allow;
        for (const auto &n : cfg.webhook_allow_networks) allow.push_back(*parse_cidr(n));
        if (const char *why = refuse_address(*parse_ip(u.url->host), allow))
            return bad_request(std::string("\"url\": refused: a ") + why +
                               " address (allow it with webhook_allow_networks)");
    }
    return ok_status();
}

Result<std::vector<Webhook>> list_webhooks(Tx &tx, const std::string &user_id, const std::string &board_id) {
    auto a = authorize_board(tx, user_id, board_id, Need::manage);
    if (!a) return a.error();
    std::vector<Webhook> out;
    for (const auto &row : tx.exec_prepared("webhooks_of_board", board_id)) out.push_back(webhook_from(row));
    return out;
}

Result<Webhook> create_webhook(Tx &tx, const Config &cfg, const std::string &user_id, const std::string &board_id,
                               const WebhookChange &in) {
    auto a = authorize_board(tx, user_id, board_id, Need::manage);
    if (!a) return a.error();
    std::string id = new_id(), secret = new_secret();
    auto r = tx.exec_prepared("webhook_insert", id, board_id, *in.url, join_events(in.events.value_or(std::vector<std::string>{})),
                              in.enabled.value_or(true), seal_at_rest(cfg.at_rest_key, webhook_secret_label(id), secret),
                              user_id);
    Webhook w = webhook_from(r[0]);
    w.secret = secret;
    return w;
}

Result<Webhook> update_webhook(Tx &tx, const Config &cfg, const std::string &user_id, const std::string &webhook_id,
                               const WebhookChange &in) {
    auto a = authorize_webhook(tx, user_id, webhook_id);
    if (!a) return a.error();
    std::optional<std::string> events, sealed, secret;
    if (in.events) events = join_events(*in.events);
    if (in.rotate_secret) {
        secret = new_secret();
        sealed = seal_at_rest(cfg.at_rest_key, webhook_secret_label(webhook_id), *secret);
    }
    auto r = tx.exec_prepared("webhook_update", webhook_id, in.url, events, in.enabled, sealed);
    if (r.empty()) return not_found("no such webhook");
    Webhook w = webhook_from(r[0]);
    w.secret = secret;
    return w;
}

Status delete_webhook(Tx &tx, const std::string &user_id, const std::string &webhook_id) {
    auto a = authorize_webhook(tx, user_id, webhook_id);
    if (!a) return a.error();
    if (tx.exec_prepared("webhook_delete", webhook_id).empty()) return not_found("no such webhook");
    return ok_status();
}

Result<DeliveryPage> list_deliveries(Tx &tx, const std::string &user_id, const std::string &webhook_id,
                                     const std::optional<std::string> &before, int limit) {
    if (before && (before->size() != 26 || before->find_first_not_of("0123456789ABCDEFGHJKMNPQRSTVWXYZ") !=
                                               std::string::npos))
        return bad_request("\"before\" is not a cursor from this list");
    auto a = authorize_webhook(tx, user_id, webhook_id);
    if (!a) return a.error();
    auto rows = before ? tx.exec_prepared("webhook_deliveries_before", webhook_id, *before, limit + 1)
                       : tx.exec_prepared("webhook_deliveries_first", webhook_id, limit + 1);
    DeliveryPage page;
    for (const auto &row : rows) {
        if (static_cast<int>(page.items.size()) == limit) {
            page.next_cursor = page.items.back().id;
            break;
        }
        Delivery d;
        d.id = row["id"].as<std::string>();
        d.webhook_id = row["webhook_id"].as<std::string>();
        d.verb = row["verb"].as<std::string>();
        d.payload = row["payload"].as<std::string>();
        d.state = row["state"].as<std::string>();
        d.tries = row["tries"].as<int>();
        d.attempts = row["attempts"].as<int>();
        d.next_attempt_at = row["next_attempt_at"].as<std::string>();
        d.created_at = row["created_at"].as<std::string>();
        d.completed_at = opt_str(row, "completed_at");
        d.last_error = opt_str(row, "last_error");
        if (!row["last_status"].is_null()) d.last_status = row["last_status"].as<int>();
        d.attempt_log = row["attempt_log"].as<std::string>();
        page.items.push_back(std::move(d));
    }
    return page;
}

Status requeue_delivery(Tx &tx, const std::string &user_id, const std::string &delivery_id) {
    auto r = tx.exec_prepared("delivery_board", delivery_id);
    if (r.empty()) return not_found("no such delivery");
    auto a = authorize_board(tx, user_id, r[0]["board_id"].as<std::string>(), Need::manage);
    if (!a) return a.error();
    if (tx.exec_prepared("delivery_requeue", delivery_id).empty())
        return conflict("only a dead or failed delivery can be requeued (this one is " +
                        r[0]["state"].as<std::string>() + ")");
    return ok_status();
}

}  // namespace msk
