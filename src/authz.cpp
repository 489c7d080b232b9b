// Authorization decisions (see authz.hpp). The membership queries are in
// src/queries/authz.sql; each returns no row for a missing object or a non-member.
#include "authz.hpp"

#include "ids.hpp"

namespace msk {

std::optional<Role> parse_role(const std::string &name) {
    if (name == "owner") return Role::owner;
    if (name == "member") return Role::member;
    if (name == "viewer") return Role::viewer;
    return std::nullopt;
}

const char *role_name(Role role) {
    switch (role) {
    case Role::owner: return "owner";
    case Role::member: return "member";
    case Role::viewer: return "viewer";
    }
    return "viewer";
}

Status role_allows(Role role, Need need) {
    if (need == Need::write && role == Role::viewer) return forbidden("viewers have read-only access");
    if (need == Need::manage && role != Role::owner) return forbidden("only a workspace owner may do this");
    return ok_status();
}

namespace {

// `query` names the read check; a write uses "<query>_write", which also locks the
// workspace and membership rows (key-share) until commit, and managing a workspace
// "authz_workspace_manage" (the workspace row for update). See src/queries/authz.sql.
Result<Grant> check(pqxx::transaction_base &tx, const char *query, const std::string &user_id,
                     const std::string &id, Need need, const char *what) {
    if (!is_valid_id(id)) return not_found(std::string("no such ") + what);
    std::string name = query;
    if (need == Need::manage && name == "authz_workspace") name = "authz_workspace_manage";
    else if (need != Need::read) name += "_write";
    auto r = tx.exec_prepared(name, id, user_id);
    if (r.empty()) return not_found(std::string("no such ") + what);
    Grant a;
    a.workspace_id = r[0]["workspace_id"].as<std::string>();
    a.board_id = r[0]["board_id"].as<std::string>();
    a.column_id = r[0]["column_id"].as<std::string>();
    a.role = parse_role(r[0]["role"].as<std::string>()).value_or(Role::viewer);
    auto st = role_allows(a.role, need);
    if (!st) return st.error();
    return a;
}

}  // namespace

Result<Grant> authorize_workspace(pqxx::transaction_base &tx, const std::string &user_id,
                                   const std::string &workspace_id, Need need) {
    return check(tx, "authz_workspace", user_id, workspace_id, need, "workspace");
}

Result<Grant> authorize_board(pqxx::transaction_base &tx, const std::string &user_id,
                               const std::string &board_id, Need need) {
    return check(tx, "authz_board", user_id, board_id, need, "board");
}

Result<Grant> authorize_column(pqxx::transaction_base &tx, const std::string &user_id,
                                const std::string &column_id, Need need) {
    return check(tx, "authz_column", user_id, column_id, need, "column");
}

Result<Grant> authorize_card(pqxx::transaction_base &tx, const std::string &user_id,
                              const std::string &card_id, Need need) {
    return check(tx, "authz_card", user_id, card_id, need, "card");
}

Result<Grant> authorize_label(pqxx::transaction_base &tx, const std::string &user_id,
                               const std::string &label_id, Need need) {
    return check(tx, "authz_label", user_id, label_id, need, "label");
}

Result<Grant> authorize_board_object(pqxx::transaction_base &tx, const std::string &user_id, const char *query,
                                     const std::string &id, Need need, const char *what) {
    return check(tx, query, user_id, id, need, what);
}

Result<Grant> authorize_milestone(pqxx::transaction_base &tx, const std::string &user_id,
                                   const std::string &milestone_id, Need need) {
    return check(tx, "authz_milestone", user_id, milestone_id, need, "milestone");
}

Result<RoomAccess> authorize_room(Tx &tx, const std::string &user_id, const std::string &room) {
    auto colon = room.find(':');
    std::string kind = room.substr(0, colon);
    if (colon == std::string::npos || (kind != "board" && kind != "card") || !is_valid_id(room.substr(colon + 1)))
        return bad_request("\"room\" must be board:<id> or card:<id>");
    std::string id = room.substr(colon + 1);
    auto a = kind == "board" ? authorize_board(tx, user_id, id, Need::read) : authorize_card(tx, user_id, id, Need::read);
    if (!a) return not_found("no such room");
    return RoomAccess{room, a->workspace_id, a->board_id, a->role};
}

}  // namespace msk
