// Webhooks of a board (owners only): the target URL, the activity verbs to send (none =
// every verb) and an enabled flag. The signing secret is generated here, returned once
// (at creation and at rotation) and stored sealed under the at-rest key, bound to the
// webhook's id. Deliveries are written by the activity insert (src/queries/activity.sql)
// and sent by mskanban-jobs; here they are listed with their attempts and requeued.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config.hpp"
#include "db.hpp"
#include "error.hpp"

namespace msk {

constexpr size_t kMaxWebhookEvents = 64;

struct Webhook {
    std::string id, board_id, url;
    std::vector<std::string> events;
    bool enabled = true;
    std::string created_at, updated_at;
    std::optional<std::string> secret;  // only right after creation or rotation
};

struct WebhookChange {
    std::optional<std::string> url;  // required to create; checked by check_webhook_url
    std::optional<std::vector<std::string>> events;
    std::optional<bool> enabled;
    bool rotate_secret = false;
};

struct Delivery {
    std::string id, webhook_id, verb, payload, state;
    int tries = 0, attempts = 0;
    std::string next_attempt_at, created_at;
    std::optional<std::string> completed_at, last_error;
    std::optional<int> last_status;
    std::string attempt_log;  // JSON array text: [{n, startedAt, durationMs, status, error, response}]
};

struct DeliveryPage {
    std::vector<Delivery> items;
    std::optional<std::string> next_cursor;
};

// The at-rest label of a webhook's secret (associated data of the seal).
std::string webhook_secret_label(const std::string &webhook_id);
// ok, or a 400 saying why the URL is not acceptable: its shape, or an address literal
// the guard refuses (names are checked when a delivery is sent, src/netguard.hpp).
Status check_webhook_url(const Config &cfg, const std::string &url);
// ok when `verb` has the activity verb shape NOUN_VERB.
bool is_event_verb(const std::string &verb);

Result<std::vector<Webhook>> list_webhooks(Tx &tx, const std::string &user_id, const std::string &board_id);
Result<Webhook> create_webhook(Tx &tx, const Config &cfg, const std::string &user_id, const std::string &board_id,
                               const WebhookChange &in);
Result<Webhook> update_webhook(Tx &tx, const Config &cfg, const std::string &user_id, const std::string &webhook_id,
                               const WebhookChange &in);
Status delete_webhook(Tx &tx, const std::string &user_id, const std::string &webhook_id);
// Newest first; `before` is the next_cursor of the previous page.
Result<DeliveryPage> list_deliveries(Tx &tx, const std::string &user_id, const std::string &webhook_id,
                                     const std::optional<std::string> &before, int limit);
// A dead or failed delivery goes back to pending, due now (409 for any other state).
Status requeue_delivery(Tx &tx, const std::string &user_id, const std::string &delivery_id);

}  // namespace msk
