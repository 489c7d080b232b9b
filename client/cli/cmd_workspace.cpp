// Workspace commands: create (a fresh Workspace Key wrapped by your USK, the
// name encrypted under it), list (names decrypted), invite (look the invitee
// up by email, seal the Workspace Key to their X25519 public key, add them).
#include <iostream>

#include "commands.hpp"
#include "created.hpp"
#include "crypto/aad.hpp"
#include "crypto/b64url.hpp"
#include "fingerprint.hpp"
#include "board_data.hpp"
#include "keyring.hpp"
#include "safe_text.hpp"

namespace mskanban::cli {

namespace c = mskanban::crypto;

Status cmd_workspace_create(Ctx &ctx) {
    if (ctx.args.pos.size() != 1) return fail(kUsage, "usage: mskanban workspace create NAME");
    std::string id = new_id();
    c::SecretBytes wk = c::new_key();
    auto wrapped = c::wrap_workspace_key(ctx.state->usk, id, wk);
    if (!wrapped) return fail(kGeneral, wrapped.error().message);
    Json body = object();
    body.set("id", id);
    body.set("encName", encrypt(wk, c::aad::workspace(id), ctx.args.pos[0]));
    body.set("encWorkspaceKey", wrapped.value());
    auto ws = post_created(*ctx.api, "/workspaces", body, "workspace", id);
    if (!ws) return ws.failure();
    if (ctx.json) {
        Json out = object();
        out.set("id", id);
        out.set("name", ctx.args.pos[0]);
        std::cout << out.dump(true) << "\n";
    } else {
        std::cout << "Created workspace " << id << " \"" << safe_line(ctx.args.pos[0]) << "\".\n";
    }
    return ok_status();
}

Status cmd_workspace_list(Ctx &ctx) {
    auto r = ctx.api->get("/workspaces");
    if (!r) return r.failure();
    Keyring keys(ctx);
    Json list = unwrap_list(r.value(), "workspaces");
    Json out = array();
    std::vector<std::string> errors;
    for (size_t i = 0; i < list.size(); i++) {
        Json ws = list.at(i);
        std::string id = ws.str("id");
        std::string name = kUndecryptable;
        auto wk = c::open_member_workspace_key(keys.account(), id, member_wrapped_key(ws));
        if (!wk) {
            errors.push_back("workspace " + id + " key: " + wk.error().message);
        } else {
            auto n = decrypt(wk.value(), c::aad::workspace(id), ws.str("encName"), "workspace " + id + " name");
            if (n) name = n.value();
            else errors.push_back(n.failure().message);
        }
        std::string role = ws.str("role", ws["member"].str("role"));
        Json o = object();
        o.set("id", id);
        o.set("name", name);
        o.set("role", role);
        json_array_append(out.get(), o.get());
        if (!ctx.json) std::cout << safe_line(id) << "  " << safe_line(name) << (role.empty() ? "" : "  (" + safe_line(role) + ")") << "\n";
    }
    if (ctx.json) std::cout << out.dump(true) << "\n";
    else if (list.size() == 0) std::cout << "No workspaces yet: mskanban workspace create NAME\n";
    for (const auto &e : errors) std::cerr << "mskanban: " << safe_line(e) << "\n";
    return errors.empty() ? ok_status() : Status(fail(kDecrypt, std::to_string(errors.size()) + " workspace(s) failed to decrypt"));
}

Status cmd_workspace_invite(Ctx &ctx) {
    if (ctx.args.pos.size() != 2) return fail(kUsage, "usage: mskanban workspace invite WORKSPACE_ID EMAIL [--role member|viewer]");
    const std::string &ws_id = ctx.args.pos[0], &email = ctx.args.pos[1];
    Keyring keys(ctx);
    auto wk = keys.workspace_key(ws_id);
    if (!wk) return wk.failure();

    Json q = object();
    q.set("email", email);
    auto found = ctx.api->post("/workspaces/" + url_escape(ws_id) + "/members/lookup", q);
    if (!found) {
        if (found.failure().http_status == 404) return fail(kGeneral, "no account for " + email + " (they must register first)");
        return found.failure();
    }
    Json who = unwrap_object(found.value(), "user");
    std::string user_id = who.str("userId", who.str("id"));
    std::string pk_b64 = who.str("publicKey");
    auto pk = c::b64url_decode(pk_b64);
    if (user_id.empty() || !pk || pk.value().size() != 32)
        return fail(kGeneral, "the server returned no usable public key for " + email);

    auto sealed = c::seal_workspace_key(pk.value(), ws_id, *wk.value());
    if (!sealed) return fail(kGeneral, sealed.error().message);
    Json body = object();
    body.set("userId", user_id);
    body.set("encWorkspaceKey", sealed.value());
    body.set("role", ctx.args.get("role", "member"));
    auto r = ctx.api->post("/workspaces/" + url_escape(ws_id) + "/members", body);
    if (!r) return r.failure();
    if (ctx.json) {
        Json out = object();
        out.set("workspaceId", ws_id);
        out.set("userId", user_id);
        out.set("publicKeyFingerprint", fingerprint(pk_b64));
        std::cout << out.dump(true) << "\n";
    } else {
        std::cout << "Invited " << safe_line(email) << " (" << safe_line(user_id) << ") to " << safe_line(ws_id) << ".\n"
                  << "Their key fingerprint is " << fingerprint(pk_b64)
                  << "; they see the same with `mskanban whoami`. Compare it with them another way.\n";
    }
    return ok_status();
}

}  // namespace mskanban::cli
