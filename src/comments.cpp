// Comments (see comments.hpp). Queries in src/queries/comments.sql.
#include "comments.hpp"

#include <set>

#include "card_parts.hpp"
#include "ids.hpp"
#include "notifications.hpp"
#include "page_cursor.hpp"

namespace msk {

namespace {

Comment comment_from(const pqxx::row &r) {
    Comment c;
    c.id = r["id"].as<std::string>();
    c.card_id = r["card_id"].as<std::string>();
    c.author_id = opt_str(r, "author_id");
    c.enc_body = r["enc_body"].as<std::string>();
    c.mentions = split_ids(r["mentions"].as<std::string>());
    c.created_at = r["created_at"].as<std::string>();
    c.updated_at = r["updated_at"].as<std::string>();
    c.seq = r["seq"].as<std::string>();
    return c;
}

// Stores the mentions (replacing any), keeping only members of the card's workspace: the
// server cannot read the body, so a mention is the client's claim, and one of a
// non-member (or of nobody) is dropped rather than refused (issue 10).
void set_mentions(Tx &tx, const std::string &comment_id, const std::string &workspace_id,
                  const std::vector<std::string> &mentions) {
    tx.exec_prepared("comment_mentions_clear", comment_id);
    std::set<std::string> unique(mentions.begin(), mentions.end());
    if (unique.empty()) return;
    std::string joined;
    for (const auto &id : unique) joined += (joined.empty() ? "" : ",") + id;
    tx.exec_prepared("comment_mentions_insert", comment_id, workspace_id, joined);
}

Comment load_comment(Tx &tx, const std::string &id) { return comment_from(tx.exec_prepared("comment_by_id", id)[0]); }

}  // namespace

Result<CommentPage> list_comments(Tx &tx, const std::string &user_id, const std::string &card_id,
                                  const std::optional<std::string> &after, int limit) {
    auto a = authorize_card_parts(tx, user_id, card_id, Need::read);
    if (!a) return a.error();
    auto cursor = parse_seq_cursor(after, "after");
    if (!cursor) return cursor.error();
    CommentPage page;
    for (const auto &row : tx.exec_prepared("comments_of_card", card_id, *cursor, limit + 1))
        page.items.push_back(comment_from(row));
    if (static_cast<int>(page.items.size()) > limit) {
        page.items.pop_back();
        page.next_cursor = page.items.back().seq;
    }
    return page;
}

Result<Comment> create_comment(Tx &tx, Redis &redis, const std::string &user_id, const std::string &card_id,
                               const CommentChange &in) {
    auto a = authorize_card_parts(tx, user_id, card_id, Need::write);
    if (!a) return a.error();
    if (tx.exec_prepared("comment_insert", in.id, card_id, user_id, *in.enc_body).empty())
        return conflict("a comment with this id already exists");
    if (in.mentions) {
        set_mentions(tx, in.id, a->grant.workspace_id, *in.mentions);
        notify_mentions(tx, a->grant, user_id, card_id, in.id);
    }
    Comment c = load_comment(tx, in.id);
    card_part_event(tx, redis, *a, user_id, "COMMENT_ADDED", "comment", c.id,
                    json_pack("{s:I}", "mentions", static_cast<json_int_t>(c.mentions.size())));
    return c;
}

Result<Comment> update_comment(Tx &tx, Redis &redis, const std::string &user_id, const std::string &comment_id,
                               const CommentChange &in) {
    auto a = authorize_card_part(tx, user_id, "comment_card", comment_id, Need::write, "comment");
    if (!a) return a.error();
    if (a->author_id != user_id) return forbidden("only the author edits a comment");
    if (tx.exec_prepared("comment_update", comment_id, in.enc_body).empty()) return not_found("no such comment");
    if (in.mentions) {
        set_mentions(tx, comment_id, a->grant.workspace_id, *in.mentions);
        notify_mentions(tx, a->grant, user_id, a->card_id, comment_id);
    }
    Comment c = load_comment(tx, comment_id);
    card_part_event(tx, redis, *a, user_id, "COMMENT_UPDATED", "comment", comment_id);
    return c;
}

Status delete_comment(Tx &tx, Redis &redis, const std::string &user_id, const std::string &comment_id) {
    auto a = authorize_card_part(tx, user_id, "comment_card", comment_id, Need::write, "comment");
    if (!a) return a.error();
    if (a->author_id != user_id && a->grant.role != Role::owner)
        return forbidden("only the author or a workspace owner deletes a comment");
    if (tx.exec_prepared("comment_delete", comment_id).empty()) return not_found("no such comment");
    card_part_event(tx, redis, *a, user_id, "COMMENT_DELETED", "comment", comment_id);
    return ok_status();
}

}  // namespace msk
