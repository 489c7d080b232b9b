// Workspaces and their members. A workspace is the unit of sharing: each member row holds
// that member's copy of the Workspace Key (wrapped by the creator's User Symmetric Key,
// or sealed to an invitee's X25519 public key) and a role. Owners manage the workspace
// and its members; there is always at least one owner.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "authz.hpp"
#include "db.hpp"
#include "error.hpp"

namespace msk {

class Redis;

struct Workspace {
    std::string id, enc_name, role, enc_workspace_key, created_at, updated_at;
};

struct Member {
    std::string user_id, email, public_key, role, created_at;
    std::optional<std::string> added_by;
};

struct Invitee {
    std::string user_id, public_key;
};

Result<std::vector<Workspace>> list_workspaces(Tx &tx, const std::string &user_id);
// Creates a workspace with the caller as its owner; `id` is client-chosen (ciphertext is
// bound to it), 409 when taken.
Result<Workspace> create_workspace(Tx &tx, const std::string &user_id, const std::string &id,
                                   const std::string &enc_name, const std::string &enc_workspace_key);
Result<Workspace> get_workspace(Tx &tx, const std::string &user_id, const std::string &workspace_id);
Result<Workspace> rename_workspace(Tx &tx, const std::string &user_id, const std::string &workspace_id,
                                   const std::string &enc_name);
// Deletes the workspace with its boards and publishes a workspace revocation.
Status delete_workspace(Tx &tx, Redis &redis, const std::string &user_id, const std::string &workspace_id);

Result<std::vector<Member>> list_members(Tx &tx, const std::string &user_id, const std::string &workspace_id);
// Owner only. 400 for an unknown user, 409 when already a member.
Result<Member> add_member(Tx &tx, const std::string &actor_id, const std::string &workspace_id,
                          const std::string &user_id, Role role, const std::string &enc_workspace_key);
// An owner removes anyone; any member may remove themselves (leave). 409 for the last
// owner. Publishes a member revocation.
Status remove_member(Tx &tx, Redis &redis, const std::string &actor_id, const std::string &workspace_id,
                     const std::string &user_id);
// Owner only: the account an invitation to `email` would go to (exact match), 404 when
// there is none.
Result<Invitee> lookup_invitee(Tx &tx, const std::string &actor_id, const std::string &workspace_id,
                               const std::string &email);

}  // namespace msk
