// /boards/:id/card-templates and /card-templates/:id: save, list and delete a board's
// card templates (one ciphertext each, bounded in size and number by the config).
#include <algorithm>

#include "card_templates.hpp"
#include "input.hpp"
#include "kanban_io.hpp"

namespace msk {

namespace {

json_t *template_json(const CardTemplate &t) {
    return json_pack("{s:s, s:s, s:s, s:o, s:s, s:s}", "id", t.id.c_str(), "boardId", t.board_id.c_str(), "encBody",
                     t.enc_body.c_str(), "createdBy", jstr_or_null(t.created_by), "createdAt", t.created_at.c_str(),
                     "updatedAt", t.updated_at.c_str());
}

// Conditional: the list shares the board's version (If-None-Match answers 304).
Result<Response> get_templates(Ctx &ctx) {
    auto tag = board_list_tag(ctx, "card-templates");
    if (!tag) return tag.error();
    if (!tag->changed) return not_modified(tag->etag);
    auto list = list_card_templates(ctx.tx(), ctx.auth->user_id, ctx.req.param("id"));
    if (!list) return list.error();
    json_t *arr = json_array();
    for (const auto &t : *list) json_array_append_new(arr, template_json(t));
    return with_etag(wrapped(200, "templates", arr), tag->etag);
}

// {id?, encBody}. A well-formed body above card_template_max_bytes is a 413.
Result<Response> post_template(Ctx &ctx) {
    auto body = body_object(ctx.req);
    if (!body) return body.error();
    auto id = new_object_id(body->get());
    if (!id) return id.error();
    size_t limit = static_cast<size_t>(ctx.svc.cfg.card_template_max_bytes);
    auto enc = req_envelope(body->get(), "encBody", std::max(limit, ctx.svc.cfg.max_body_bytes));
    if (!enc) return enc.error();
    if (!envelope_problem(*enc, limit).empty())
        return too_large("\"encBody\" is larger than this server's card template limit (" + std::to_string(limit) +
                         " bytes of ciphertext)");
    auto t = create_card_template(ctx.tx(), ctx.svc.redis, ctx.auth->user_id, ctx.req.param("id"), *id, *enc,
                                  ctx.svc.cfg.card_templates_per_board);
    if (!t) return t.error();
    return wrapped(201, "template", template_json(*t));
}

Result<Response> delete_one(Ctx &ctx) {
    auto st = delete_card_template(ctx.tx(), ctx.svc.redis, ctx.auth->user_id, ctx.req.param("id"));
    if (!st) return st.error();
    return no_content();
}

}  // namespace

std::vector<Route> card_template_routes() {
    return {
        {"GET", "/boards/:id/card-templates", get_templates, Access::session, "read"},
        {"POST", "/boards/:id/card-templates", post_template, Access::session, "mutation"},
        {"DELETE", "/card-templates/:id", delete_one, Access::session, "mutation"},
    };
}

}  // namespace msk
