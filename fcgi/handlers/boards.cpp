// /workspaces/:wsId/boards and /boards/:id: list, create, read, rename and delete boards.
#include "input.hpp"
#include "kanban_io.hpp"

namespace msk {

namespace {

// Conditional: If-None-Match with the current ETag answers 304 (after the access check).
Result<Response> get_boards(Ctx &ctx) {
    auto version = workspace_boards_version(ctx.tx(), ctx.auth->user_id, ctx.req.param("wsId"));
    if (!version) return version.error();
    std::string etag = list_etag("boards", "", ctx.req.param("wsId"), *version);
    if (etag_matches(ctx.req.header("if-none-match"), etag)) return not_modified(etag);
    auto list = list_boards(ctx.tx(), ctx.auth->user_id, ctx.req.param("wsId"));
    if (!list) return list.error();
    json_t *arr = json_array();
    for (const auto &b : *list) json_array_append_new(arr, board_json(b));
    return with_etag(wrapped(200, "boards", arr), etag);
}

// {id?, encName, encBoardKey}: the Board Key wrapped by the Workspace Key.
Result<Response> post_board(Ctx &ctx) {
    auto body = body_object(ctx.req);
    if (!body) return body.error();
    auto id = new_object_id(body->get());
    if (!id) return id.error();
    auto name = req_envelope(body->get(), "encName", kSmallEnvelopeBytes);
    if (!name) return name.error();
    auto key = req_envelope(body->get(), "encBoardKey", 1024);
    if (!key) return key.error();
    auto b = create_board(ctx.tx(), ctx.svc.redis, ctx.auth->user_id, ctx.req.param("wsId"), *id, *name, *key);
    if (!b) return b.error();
    return wrapped(201, "board", board_json(*b));
}

Result<Response> get_one(Ctx &ctx) {
    auto b = get_board(ctx.tx(), ctx.auth->user_id, ctx.req.param("id"));
    if (!b) return b.error();
    return wrapped(200, "board", board_json(*b));
}

Result<Response> patch_board(Ctx &ctx) {
    auto body = body_object(ctx.req);
    if (!body) return body.error();
    auto name = req_envelope(body->get(), "encName", kSmallEnvelopeBytes);
    if (!name) return name.error();
    auto b = rename_board(ctx.tx(), ctx.svc.redis, ctx.auth->user_id, ctx.req.param("id"), *name);
    if (!b) return b.error();
    return wrapped(200, "board", board_json(*b));
}

Result<Response> delete_one(Ctx &ctx) {
    auto st = delete_board(ctx.tx(), ctx.svc.redis, ctx.auth->user_id, ctx.req.param("id"));
    if (!st) return st.error();
    return no_content();
}

}  // namespace

std::vector<Route> board_routes() {
    return {
        {"GET", "/workspaces/:wsId/boards", get_boards, Access::session, "read"},
        {"POST", "/workspaces/:wsId/boards", post_board, Access::session, "mutation"},
        {"GET", "/boards/:id", get_one, Access::session, "read"},
        {"PATCH", "/boards/:id", patch_board, Access::session, "mutation"},
        {"DELETE", "/boards/:id", delete_one, Access::session, "mutation"},
    };
}

}  // namespace msk
