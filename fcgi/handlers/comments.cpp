// /cards/:id/comments and /comments/:id: write, list (oldest first, with a cursor),
// edit (author only) and delete (author or workspace owner) a card's comments.
#include "comments.hpp"
#include "input.hpp"
#include "kanban_io.hpp"

namespace msk {

namespace {

constexpr int kDefaultPage = 50;
constexpr int kMaxPage = 200;
constexpr size_t kMaxMentions = 50;
constexpr size_t kCommentBytes = 64 * 1024;

json_t *comment_json(const Comment &c) {
    json_t *mentions = json_array();
    for (const auto &m : c.mentions) json_array_append_new(mentions, json_string(m.c_str()));
    return json_pack("{s:s, s:s, s:o, s:s, s:o, s:s, s:s}", "id", c.id.c_str(), "cardId", c.card_id.c_str(),
                     "authorId", jstr_or_null(c.author_id), "encBody", c.enc_body.c_str(), "mentions", mentions,
                     "createdAt", c.created_at.c_str(), "updatedAt", c.updated_at.c_str());
}

// {encBody?, mentions?: [userId]} into `c` (encBody required to create).
Status read_comment_fields(const json_t *body, CommentChange &c, bool creating) {
    if (creating || json_object_get(body, "encBody")) {
        auto b = req_envelope(body, "encBody", kCommentBytes);
        if (!b) return b.error();
        c.enc_body = *b;
    }
    json_t *m = json_object_get(body, "mentions");
    if (!m) return ok_status();
    if (!json_is_array(m) || json_array_size(m) > kMaxMentions)
        return bad_request("\"mentions\" must be an array of at most 50 user ids");
    c.mentions.emplace();
    size_t i;
    json_t *v;
    json_array_foreach(m, i, v) {
        if (!json_is_string(v) || !is_valid_id(json_string_value(v)))
            return bad_request("\"mentions\" must be an array of user ids");
        c.mentions->push_back(json_string_value(v));
    }
    return ok_status();
}

// {id?, encBody, mentions?}
Result<Response> post_comment(Ctx &ctx) {
    auto body = body_object(ctx.req);
    if (!body) return body.error();
    CommentChange in;
    auto id = new_object_id(body->get());
    if (!id) return id.error();
    in.id = *id;
    auto st = read_comment_fields(body->get(), in, true);
    if (!st) return st.error();
    auto c = create_comment(ctx.tx(), ctx.svc.redis, ctx.auth->user_id, ctx.req.param("id"), in);
    if (!c) return c.error();
    return wrapped(201, "comment", comment_json(*c));
}

// ?limit=1..200 (default 50) &after=<nextCursor of the previous page>
Result<Response> get_comments(Ctx &ctx) {
    auto limit = page_limit(ctx.req, kDefaultPage, kMaxPage);
    if (!limit) return limit.error();
    auto page = list_comments(ctx.tx(), ctx.auth->user_id, ctx.req.param("id"), ctx.req.query_param("after"), *limit);
    if (!page) return page.error();
    json_t *arr = json_array();
    for (const auto &c : page->items) json_array_append_new(arr, comment_json(c));
    return json_response(200, json_pack("{s:o, s:o}", "comments", arr, "nextCursor", jstr_or_null(page->next_cursor)));
}

// Any of {encBody, mentions (replaces them)}.
Result<Response> patch_comment(Ctx &ctx) {
    auto body = body_object(ctx.req);
    if (!body) return body.error();
    auto any = require_any(body->get(), {"encBody", "mentions"});
    if (!any) return any.error();
    CommentChange in;
    auto st = read_comment_fields(body->get(), in, false);
    if (!st) return st.error();
    auto c = update_comment(ctx.tx(), ctx.svc.redis, ctx.auth->user_id, ctx.req.param("id"), in);
    if (!c) return c.error();
    return wrapped(200, "comment", comment_json(*c));
}

Result<Response> delete_one(Ctx &ctx) {
    auto st = delete_comment(ctx.tx(), ctx.svc.redis, ctx.auth->user_id, ctx.req.param("id"));
    if (!st) return st.error();
    return no_content();
}

}  // namespace

std::vector<Route> comment_routes() {
    return {
        {"POST", "/cards/:id/comments", post_comment, Access::session, "mutation"},
        {"GET", "/cards/:id/comments", get_comments, Access::session, "read"},
        {"PATCH", "/comments/:id", patch_comment, Access::session, "mutation"},
        {"DELETE", "/comments/:id", delete_one, Access::session, "mutation"},
    };
}

}  // namespace msk
