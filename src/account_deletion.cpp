// Account deletion and the hard delete (see account_deletion.hpp).
#include "account_deletion.hpp"

#include "activity.hpp"
#include "crypto.hpp"
#include "json.hpp"
#include "login_guard.hpp"
#include "timeutil.hpp"
#include "step_up.hpp"
#include "webauthn.hpp"
#include "workspaces.hpp"

namespace msk {

namespace {

// The fresh login the deletion needs: the authHash, then the step-up second factor
// (src/step_up.hpp). A wrong one counts as a failed login.
Status check_fresh_login(Tx &tx, Redis &redis, const Config &cfg, const SessionAuth &auth, const DeletionInput &in,
                         const std::string &fkey, int64_t now) {
    auto backoff = check_backoff(redis, cfg, fkey, now);
    if (!backoff) return backoff.error();
    auto r = tx.exec_prepared("deletion_user_for_update", auth.user_id);
    if (r.empty()) return unauthorized("session expired or invalid");
    if (!server_verify(r[0]["auth_hash"].as<std::string>(), in.auth_hash)) {
        record_failure(redis, fkey, cfg, now);
        return forbidden("\"authHash\" is wrong");
    }
    return check_step_up(tx, redis, cfg, auth.user_id, in.totp, in.webauthn, fkey, now);
}

std::string joined(const std::vector<std::string> &ids) {
    std::string s;
    for (const auto &id : ids) s += (s.empty() ? "" : ", ") + id;
    return s;
}

// Leaves every remaining workspace as DELETE /workspaces/:id/members/:me would: the
// member row (with its copy of the Workspace Key) goes, the others see MEMBER_REMOVED,
// and the user's live connections in the workspace close.
void leave_workspaces(Tx &tx, Redis &redis, const std::string &user_id) {
    for (const auto &row : tx.exec_prepared("deletion_memberships_delete", user_id)) {
        std::string ws = row["workspace_id"].as<std::string>();
        Event ev = make_event(ws, "", user_id, "MEMBER_REMOVED", "user", user_id);
        json_object_set_new(ev.meta.get(), "role", json_string(row["role"].c_str()));
        json_object_set_new(ev.meta.get(), "accountDeleted", json_true());
        record_activity(tx, ev);
        JsonPtr j = own(json_pack("{s:s, s:s, s:s}", "type", "member", "workspaceId", ws.c_str(), "userId",
                                  user_id.c_str()));
        publish_revocation_after_commit(tx, redis, dump(j.get()));
    }
}

}  // namespace

Result<DeletionResult> delete_account(Tx &tx, Redis &redis, const Config &cfg, const SessionAuth &auth,
                                      const DeletionInput &in) {
    const std::string &user_id = auth.user_id;
    int64_t now = now_ms();
    std::string fkey = failures_key(cfg, auth.email);
    auto fresh = check_fresh_login(tx, redis, cfg, auth, in, fkey, now);
    if (!fresh) return fresh.error();

    tx.exec_prepared("deletion_lock_workspaces", user_id);
    DeletionResult out;
    for (const auto &row : tx.exec_prepared("deletion_sole_owned_workspaces", user_id))
        out.deleted_workspaces.push_back(row["id"].as<std::string>());
    if (!out.deleted_workspaces.empty() && !in.delete_owned_workspaces)
        return conflict("you are the only owner of these workspaces: " + joined(out.deleted_workspaces) +
                        "; make another member an owner, delete them, or send \"deleteOwnedWorkspaces\": true");
    for (const auto &ws : out.deleted_workspaces) {
        auto st = delete_workspace(tx, redis, user_id, ws);
        if (!st) return st.error();
    }
    leave_workspaces(tx, redis, user_id);

    revoke_all_sessions(tx, redis, user_id);
    tx.exec_prepared("deletion_sessions_forget", user_id);
    tx.exec_prepared("deletion_idempotency_delete", user_id);
    webauthn_delete_all(tx, user_id);
    tx.exec_prepared("deletion_shred_user", user_id);
    // Any connection the per-session notices missed (a relay socket of a session that
    // ended an instant ago) closes on the user-wide one.
    JsonPtr j = own(json_pack("{s:s, s:s}", "type", "user", "userId", user_id.c_str()));
    publish_revocation_after_commit(tx, redis, dump(j.get()));
    clear_failures_after_commit(tx, redis, fkey);
    return out;
}

long purge_deleted_accounts(pqxx::work &tx, long batch) {
    return static_cast<long>(
        tx.exec_prepared("gc_deleted_accounts", kDeletedAccountRetentionDays * 86400, batch).affected_rows());
}

}  // namespace msk
