// Workspaces and members (see workspaces.hpp). Queries in src/queries/workspaces.sql.
#include "workspaces.hpp"

#include "activity.hpp"
#include "ids.hpp"
#include "json.hpp"
#include "sessions.hpp"
#include "ticks.hpp"

namespace msk {

namespace {

Workspace workspace_from(const pqxx::row &r) {
    return {r["id"].as<std::string>(),         r["enc_name"].as<std::string>(),
            r["role"].as<std::string>(),       r["enc_workspace_key"].as<std::string>(),
            r["created_at"].as<std::string>(), r["updated_at"].as<std::string>()};
}

Member member_from(const pqxx::row &r) {
    return {r["user_id"].as<std::string>(), r["email"].as<std::string>(), r["public_key"].as<std::string>(),
            r["role"].as<std::string>(), r["created_at"].as<std::string>(), opt_str(r, "added_by")};
}

Result<Workspace> read_workspace(pqxx::transaction_base &tx, const std::string &user_id, const std::string &id) {
    auto r = tx.exec_prepared("workspace_of_user", id, user_id);
    if (r.empty()) return not_found("no such workspace");
    return workspace_from(r[0]);
}

}  // namespace

Result<std::vector<Workspace>> list_workspaces(Tx &tx, const std::string &user_id) {
    std::vector<Workspace> out;
    for (const auto &row : tx.exec_prepared("workspaces_of_user", user_id)) out.push_back(workspace_from(row));
    return out;
}

Result<Workspace> create_workspace(Tx &tx, const std::string &user_id, const std::string &id,
                                   const std::string &enc_name, const std::string &enc_workspace_key) {
    if (tx.exec_prepared("workspace_insert", id, enc_name, user_id).empty())
        return conflict("a workspace with this id already exists");
    tx.exec_prepared("member_insert", id, user_id, "owner", enc_workspace_key, user_id);
    Event ev = make_event(id, "", user_id, "WORKSPACE_CREATED", "workspace", id);
    record_activity(tx, ev);
    auto ws = read_workspace(tx, user_id, id);
    return ws;
}

Result<Workspace> get_workspace(Tx &tx, const std::string &user_id, const std::string &workspace_id) {
    if (!is_valid_id(workspace_id)) return not_found("no such workspace");
    return read_workspace(tx, user_id, workspace_id);
}

Result<Workspace> rename_workspace(Tx &tx, const std::string &user_id, const std::string &workspace_id,
                                   const std::string &enc_name) {
    auto a = authorize_workspace(tx, user_id, workspace_id, Need::manage);
    if (!a) return a.error();
    tx.exec_prepared("workspace_rename", workspace_id, enc_name);
    Event ev = make_event(workspace_id, "", user_id, "WORKSPACE_UPDATED", "workspace", workspace_id);
    record_activity(tx, ev);
    auto ws = read_workspace(tx, user_id, workspace_id);
    return ws;
}

Status delete_workspace(Tx &tx, Redis &redis, const std::string &user_id, const std::string &workspace_id) {
    auto a = authorize_workspace(tx, user_id, workspace_id, Need::manage);
    if (!a) return a.error();
    std::vector<std::string> boards;
    for (const auto &row : tx.exec_prepared("board_ids_of_workspace", workspace_id))
        boards.push_back(row["id"].as<std::string>());
    tx.exec_prepared("workspace_delete", workspace_id);
    JsonPtr j = own(json_pack("{s:s, s:s}", "type", "workspace", "workspaceId", workspace_id.c_str()));
    publish_revocation_after_commit(tx, redis, dump(j.get()));
    drop_tick_streams_after_commit(tx, redis, std::move(boards));
    return ok_status();
}

Result<std::vector<Member>> list_members(Tx &tx, const std::string &user_id, const std::string &workspace_id) {
    auto a = authorize_workspace(tx, user_id, workspace_id, Need::read);
    if (!a) return a.error();
    std::vector<Member> out;
    for (const auto &row : tx.exec_prepared("members_of_workspace", workspace_id)) out.push_back(member_from(row));
    return out;
}

Result<Member> add_member(Tx &tx, const std::string &actor_id, const std::string &workspace_id,
                          const std::string &user_id, Role role, const std::string &enc_workspace_key) {
    auto a = authorize_workspace(tx, actor_id, workspace_id, Need::manage);
    if (!a) return a.error();
    if (tx.exec_prepared("user_exists", user_id).empty()) return bad_request("\"userId\" does not name an account");
    if (tx.exec_prepared("member_insert", workspace_id, user_id, role_name(role), enc_workspace_key, actor_id).empty())
        return conflict("that account is already a member of this workspace");
    Event ev = make_event(workspace_id, "", actor_id, "MEMBER_ADDED", "user", user_id);
    json_object_set_new(ev.meta.get(), "role", json_string(role_name(role)));
    record_activity(tx, ev);
    auto r = tx.exec_prepared("member_of_workspace", workspace_id, user_id);
    Member m = member_from(r[0]);
    return m;
}

Status remove_member(Tx &tx, Redis &redis, const std::string &actor_id, const std::string &workspace_id,
                     const std::string &user_id) {
    bool leaving = actor_id == user_id;
    auto a = authorize_workspace(tx, actor_id, workspace_id, leaving ? Need::read : Need::manage);
    if (!a) return a.error();
    tx.exec_prepared("workspace_lock", workspace_id);  // the workspace before its member rows
    // Lock every member row so two concurrent removals cannot both pass the owner check.
    int owners = 0;
    std::optional<std::string> role;
    for (const auto &row : tx.exec_prepared("member_roles_for_update", workspace_id)) {
        std::string r = row["role"].as<std::string>();
        if (r == "owner") owners++;
        if (row["user_id"].as<std::string>() == user_id) role = r;
    }
    if (!role) return not_found("no such member");
    if (*role == "owner" && owners == 1)
        return conflict("the last owner cannot be removed; make another member an owner or delete the workspace");
    tx.exec_prepared("member_delete", workspace_id, user_id);
    Event ev = make_event(workspace_id, "", actor_id, "MEMBER_REMOVED", "user", user_id);
    json_object_set_new(ev.meta.get(), "role", json_string(role->c_str()));
    record_activity(tx, ev);
    JsonPtr j = own(json_pack("{s:s, s:s, s:s}", "type", "member", "workspaceId", workspace_id.c_str(), "userId",
                              user_id.c_str()));
    publish_revocation_after_commit(tx, redis, dump(j.get()));
    return ok_status();
}

Result<Invitee> lookup_invitee(Tx &tx, const std::string &actor_id, const std::string &workspace_id,
                               const std::string &email) {
    auto a = authorize_workspace(tx, actor_id, workspace_id, Need::manage);
    if (!a) return a.error();
    auto r = tx.exec_prepared("user_key_by_email", email);
    if (r.empty()) return not_found("no account with that email address");
    return Invitee{r[0]["id"].as<std::string>(), r[0]["public_key"].as<std::string>()};
}

}  // namespace msk
