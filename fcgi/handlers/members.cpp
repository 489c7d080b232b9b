// /workspaces/:id/members: list, invite, remove (or leave), and the invitee lookup.
// The lookup is how an owner gets an invitee's public key to seal the Workspace Key to:
// exact email only, owners only, in the fail-closed "lookup" rate-limit group, and it
// answers nothing but {userId, publicKey}. Besides the per-owner limit of the route's
// group, the same limit counts per client address, so many throwaway accounts behind
// one address share one budget (docs/decisions.md, "Enumeration").
#include "accounts.hpp"
#include "input.hpp"
#include "kanban_io.hpp"
#include "ratelimit.hpp"
#include "timeutil.hpp"

namespace msk {

namespace {

Result<Response> get_members(Ctx &ctx) {
    auto list = list_members(ctx.tx(), ctx.auth->user_id, ctx.req.param("id"));
    if (!list) return list.error();
    json_t *arr = json_array();
    for (const auto &m : *list) json_array_append_new(arr, member_json(m));
    return wrapped(200, "members", arr);
}

// {userId, encWorkspaceKey, role?}: the key sealed to the invitee; role member (default)
// or viewer, or owner.
Result<Response> post_member(Ctx &ctx) {
    auto body = body_object(ctx.req);
    if (!body) return body.error();
    auto user = opt_id_field(body->get(), "userId");
    if (!user) return user.error();
    if (!*user) return bad_request("\"userId\" is required");
    auto key = req_wrapped_key(body->get(), "encWorkspaceKey");
    if (!key) return key.error();
    auto role_s = opt_string(body->get(), "role", 16);
    if (!role_s) return role_s.error();
    auto role = parse_role(role_s->value_or("member"));
    if (!role) return bad_request("\"role\" must be owner, member or viewer");
    auto m = add_member(ctx.tx(), ctx.auth->user_id, ctx.req.param("id"), **user, *role, *key);
    if (!m) return m.error();
    return wrapped(201, "member", member_json(*m));
}

Result<Response> delete_member(Ctx &ctx) {
    auto ok = check_path_id(ctx.req.param("userId"));
    if (!ok) return ok.error();
    auto st = remove_member(ctx.tx(), ctx.svc.redis, ctx.auth->user_id, ctx.req.param("id"),
                            ctx.req.param("userId"));
    if (!st) return st.error();
    return no_content();
}

// {email} -> {user: {userId, publicKey}}, 404 when no account has that address.
Result<Response> post_lookup(Ctx &ctx) {
    auto body = body_object(ctx.req);
    if (!body) return body.error();
    auto raw = req_string(body->get(), "email", 254);
    if (!raw) return raw.error();
    std::string email = normalize_email(*raw);
    if (email.empty()) return bad_request("\"email\" is not a valid email address");
    auto rule = ctx.svc.cfg.rate_limits.find("lookup");
    if (rule != ctx.svc.cfg.rate_limits.end()) {
        RateDecision d = rate_check(ctx.svc.redis, "lookup", "ip:" + keyed_hash(ctx.svc.cfg, "ip", ctx.req.remote_addr),
                                    rule->second, now_ms());
        if (d.redis_down) return unavailable("rate limiting is unavailable; try again shortly");
        if (!d.allowed) return rate_limited_error(d);
    }
    auto who = lookup_invitee(ctx.tx(), ctx.auth->user_id, ctx.req.param("id"), email);
    if (!who) return who.error();
    return wrapped(200, "user",
                   json_pack("{s:s, s:s}", "userId", who->user_id.c_str(), "publicKey", who->public_key.c_str()));
}

}  // namespace

std::vector<Route> member_routes() {
    return {
        {"GET", "/workspaces/:id/members", get_members, Access::session, "read"},
        {"POST", "/workspaces/:id/members", post_member, Access::session, "mutation"},
        {"POST", "/workspaces/:id/members/lookup", post_lookup, Access::session, "lookup"},
        {"DELETE", "/workspaces/:id/members/:userId", delete_member, Access::session, "mutation"},
    };
}

}  // namespace msk
