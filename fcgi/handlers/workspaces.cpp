// /workspaces: list, create, read, rename and delete workspaces.
#include "input.hpp"
#include "kanban_io.hpp"

namespace msk {

namespace {

Result<Response> get_workspaces(Ctx &ctx) {
    auto list = list_workspaces(ctx.tx(), ctx.auth->user_id);
    if (!list) return list.error();
    json_t *arr = json_array();
    for (const auto &w : *list) json_array_append_new(arr, workspace_json(w));
    return wrapped(200, "workspaces", arr);
}

// {id?, encName, encWorkspaceKey}: the creator's copy of the key, wrapped by their USK.
Result<Response> post_workspace(Ctx &ctx) {
    auto body = body_object(ctx.req);
    if (!body) return body.error();
    auto id = new_object_id(body->get());
    if (!id) return id.error();
    auto name = req_envelope(body->get(), "encName", kSmallEnvelopeBytes);
    if (!name) return name.error();
    auto key = req_wrapped_key(body->get(), "encWorkspaceKey");
    if (!key) return key.error();
    auto w = create_workspace(ctx.tx(), ctx.auth->user_id, *id, *name, *key);
    if (!w) return w.error();
    return wrapped(201, "workspace", workspace_json(*w));
}

Result<Response> get_one(Ctx &ctx) {
    auto w = get_workspace(ctx.tx(), ctx.auth->user_id, ctx.req.param("id"));
    if (!w) return w.error();
    return wrapped(200, "workspace", workspace_json(*w));
}

Result<Response> patch_workspace(Ctx &ctx) {
    auto body = body_object(ctx.req);
    if (!body) return body.error();
    auto name = req_envelope(body->get(), "encName", kSmallEnvelopeBytes);
    if (!name) return name.error();
    auto w = rename_workspace(ctx.tx(), ctx.auth->user_id, ctx.req.param("id"), *name);
    if (!w) return w.error();
    return wrapped(200, "workspace", workspace_json(*w));
}

Result<Response> delete_one(Ctx &ctx) {
    auto st = delete_workspace(ctx.tx(), ctx.svc.redis, ctx.auth->user_id, ctx.req.param("id"));
    if (!st) return st.error();
    return no_content();
}

}  // namespace

std::vector<Route> workspace_routes() {
    return {
        {"GET", "/workspaces", get_workspaces, Access::session, "read"},
        {"POST", "/workspaces", post_workspace, Access::session, "mutation"},
        {"GET", "/workspaces/:id", get_one, Access::session, "read"},
        {"PATCH", "/workspaces/:id", patch_workspace, Access::session, "mutation"},
        {"DELETE", "/workspaces/:id", delete_one, Access::session, "mutation"},
    };
}

}  // namespace msk
