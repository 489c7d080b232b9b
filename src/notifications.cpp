// Notifications (see notifications.hpp). Queries in src/queries/notifications.sql.
#include "notifications.hpp"

#include "ids.hpp"
#include "page_cursor.hpp"

namespace msk {

namespace {

Notification notification_from(const pqxx::row &r) {
    Notification n;
    n.id = r["id"].as<std::string>();
    n.verb = r["verb"].as<std::string>();
    n.actor_id = opt_str(r, "actor_id");
    n.workspace_id = r["workspace_id"].as<std::string>();
    n.board_id = r["board_id"].as<std::string>();
    n.card_id = r["card_id"].as<std::string>();
    n.comment_id = opt_str(r, "comment_id");
    n.created_at = r["created_at"].as<std::string>();
    n.read = r["read"].as<bool>();
    n.seq = r["seq"].as<std::string>();
    return n;
}

void notify(Tx &tx, const Grant &g, const std::string &actor, const std::string &recipient, const std::string &card_id,
            const std::optional<std::string> &comment_id, const char *verb) {
    tx.exec_prepared("notification_insert", new_id(), recipient, g.workspace_id, g.board_id, card_id, comment_id, verb,
                     actor);
}

int64_t unread_count(Tx &tx, const std::string &user_id) {
    return tx.exec_prepared("notifications_unread", user_id)[0]["n"].as<int64_t>();
}

}  // namespace

void notify_assigned(Tx &tx, const Grant &g, const std::string &actor, const std::string &recipient,
                     const std::string &card_id) {
    if (recipient != actor) notify(tx, g, actor, recipient, card_id, std::nullopt, "CARD_ASSIGNED");
}

void notify_mentions(Tx &tx, const Grant &g, const std::string &actor, const std::string &card_id,
                     const std::string &comment_id) {
    for (const auto &row : tx.exec_prepared("comment_mentioned_users", comment_id, actor))
        notify(tx, g, actor, row["user_id"].as<std::string>(), card_id, comment_id, "COMMENT_MENTIONED");
}

Result<NotificationPage> list_notifications(Tx &tx, const std::string &user_id,
                                            const std::optional<std::string> &before, int limit, bool unread_only) {
    auto cursor = parse_seq_cursor(before, "before");  // 0 = from the newest
    if (!cursor) return cursor.error();
    NotificationPage page;
    for (const auto &row : tx.exec_prepared("notifications_page", user_id, *cursor, limit + 1, unread_only))
        page.items.push_back(notification_from(row));
    if (static_cast<int>(page.items.size()) > limit) {
        page.items.pop_back();
        page.next_cursor = page.items.back().seq;
    }
    page.unread = unread_count(tx, user_id);
    return page;
}

Result<int64_t> mark_notifications_read(Tx &tx, const std::string &user_id, const std::string &up_to) {
    if (!is_valid_id(up_to) || tx.exec_prepared("notifications_mark_read", user_id, up_to).empty())
        return bad_request("\"upTo\" does not name one of your notifications");
    return unread_count(tx, user_id);
}

}  // namespace msk
