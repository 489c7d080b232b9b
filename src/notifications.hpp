// Notifications: a user learns that someone else assigned them to a card
// (CARD_ASSIGNED) or mentioned them in a comment (COMMENT_MENTIONED). A notification
// holds ids, the verb, the actor and the time, never content. They are written by the
// mutation's own transaction (card_links.cpp, comments.cpp), listed newest first with a
// cursor, and marked read up to a given one. Removing a member removes their
// notifications from that workspace (sql/009); nothing else is ever shown to a user
// about a workspace they have left.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "authz.hpp"
#include "db.hpp"
#include "error.hpp"

namespace msk {

struct Notification {
    std::string id, verb;
    std::optional<std::string> actor_id;
    std::string workspace_id, board_id, card_id;
    std::optional<std::string> comment_id;
    std::string created_at;
    bool read = false;
    std::string seq;  // the page cursor
};

struct NotificationPage {
    std::vector<Notification> items;
    std::optional<std::string> next_cursor;  // pass as `before` for the next page
    int64_t unread = 0;                      // unread in all, not just this page
};

// Notifies `recipient` that `actor` assigned them to card `card_id` (`g` is the actor's
// grant on the card). Nothing when they assigned themselves.
void notify_assigned(Tx &tx, const Grant &g, const std::string &actor, const std::string &recipient,
                     const std::string &card_id);
// Notifies each user comment `comment_id` mentions, but its author `actor`, once per
// comment: an edit notifies only the users it newly mentions.
void notify_mentions(Tx &tx, const Grant &g, const std::string &actor, const std::string &card_id,
                     const std::string &comment_id);

// `user_id`'s notifications, newest first; `unread_only` leaves read ones out.
Result<NotificationPage> list_notifications(Tx &tx, const std::string &user_id,
                                            const std::optional<std::string> &before, int limit, bool unread_only);
// Marks `up_to` (one of the user's notifications, else 400) and every older one read;
// answers how many stay unread.
Result<int64_t> mark_notifications_read(Tx &tx, const std::string &user_id, const std::string &up_to);

}  // namespace msk
