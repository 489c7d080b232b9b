// Comments on a card: an encrypted body (AAD `comment:<id>`), the author, and the
// workspace members the comment mentions (ids only, kept for notifications). Members
// write comments; only the author edits one; the author or a workspace owner deletes it.
// Listed oldest first with a cursor.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db.hpp"
#include "error.hpp"

namespace msk {

class Redis;

struct Comment {
    std::string id, card_id;
    std::optional<std::string> author_id;
    std::string enc_body;
    std::vector<std::string> mentions;  // user ids, in id order
    std::string created_at, updated_at;
    std::string seq;  // the page cursor
};

struct CommentChange {
    std::string id;                                     // create: the client-chosen id
    std::optional<std::string> enc_body;                // required to create
    std::optional<std::vector<std::string>> mentions;   // replaces the set when given
};

struct CommentPage {
    std::vector<Comment> items;
    std::optional<std::string> next_cursor;  // pass as `after` for the next page
};

Result<CommentPage> list_comments(Tx &tx, const std::string &user_id, const std::string &card_id,
                                  const std::optional<std::string> &after, int limit);
// 400 when a mention is not a member of the card's workspace.
Result<Comment> create_comment(Tx &tx, Redis &redis, const std::string &user_id, const std::string &card_id,
                               const CommentChange &in);
// 403 unless `user_id` wrote the comment.
Result<Comment> update_comment(Tx &tx, Redis &redis, const std::string &user_id, const std::string &comment_id,
                               const CommentChange &in);
// 403 unless `user_id` wrote the comment or owns the workspace.
Status delete_comment(Tx &tx, Redis &redis, const std::string &user_id, const std::string &comment_id);

}  // namespace msk
