// The key hierarchy walked over the API (see keyring.hpp).
#include "keyring.hpp"

#include <sodium.h>

#include "crypto/b64url.hpp"
#include "crypto/envelope.hpp"

namespace mskanban::cli {

namespace c = mskanban::crypto;

Status require_login(const Ctx &ctx) {
    if (!ctx.state->logged_in()) return fail(kAuth, "not logged in; run: mskanban login");
    return ok_status();
}

Keyring::Keyring(Ctx &ctx) : ctx_(ctx) {
    account_.usk = ctx.state->usk.clone();
    auto kp = c::keypair_from_secret(ctx.state->private_key);
    if (kp) account_.keypair = std::move(kp.value());
}

std::string member_wrapped_key(const Json &ws) {
    if (ws.has("encWorkspaceKey")) return ws.str("encWorkspaceKey");
    for (const char *k : {"member", "membership"})
        if (ws[k].has("encWorkspaceKey")) return ws[k].str("encWorkspaceKey");
    return "";
}

Outcome<Json> Keyring::workspace(const std::string &ws_id) {
    auto it = workspaces_.find(ws_id);
    if (it != workspaces_.end()) return it->second;
    auto r = ctx_.api->get("/workspaces/" + url_escape(ws_id));
    if (!r) return r.failure();
    Json ws = unwrap_object(r.value(), "workspace");
    workspaces_[ws_id] = ws;
    return ws;
}

Outcome<Json> Keyring::board(const std::string &board_id) {
    auto it = boards_.find(board_id);
    if (it != boards_.end()) return it->second;
    auto r = ctx_.api->get("/boards/" + url_escape(board_id));
    if (!r) return r.failure();
    Json b = unwrap_object(r.value(), "board");
    boards_[board_id] = b;
    return b;
}

Outcome<const c::SecretBytes *> Keyring::workspace_key(const std::string &ws_id) {
    auto it = wkeys_.find(ws_id);
    if (it != wkeys_.end()) return &it->second;
    auto ws = workspace(ws_id);
    if (!ws) return ws.failure();
    std::string wrapped = member_wrapped_key(ws.value());
    if (wrapped.empty()) return fail(kDecrypt, "workspace " + ws_id + ": the server sent no workspace key for you");
    auto k = c::open_member_workspace_key(account_, ws_id, wrapped);
    if (!k) return fail(kDecrypt, "workspace " + ws_id + " key: " + k.error().message);
    return &(wkeys_[ws_id] = std::move(k.value()));
}

Outcome<const c::SecretBytes *> Keyring::board_key(const std::string &board_id) {
    auto it = bkeys_.find(board_id);
    if (it != bkeys_.end()) return &it->second;
    auto b = board(board_id);
    if (!b) return b.failure();
    std::string ws_id = b.value().str("workspaceId");
    auto wk = workspace_key(ws_id);
    if (!wk) return wk.failure();
    auto k = c::unwrap_board_key(*wk.value(), board_id, b.value().str("encBoardKey"));
    if (!k) return fail(kDecrypt, "board " + board_id + " key: " + k.error().message);
    return &(bkeys_[board_id] = std::move(k.value()));
}

Outcome<std::string> decrypt(const c::SecretBytes &key, const std::string &aad, const std::string &env,
                             const std::string &what) {
    if (env.empty()) return std::string();
    auto r = c::open_envelope_text(key, aad, env);
    if (!r) return fail(kDecrypt, what + ": " + r.error().message);
    return r.value();
}

std::string encrypt(const c::SecretBytes &key, const std::string &aad, const std::string &text) {
    auto r = c::seal_envelope(key, aad, text);
    return r ? r.value() : std::string();
}

std::string new_id() {
    static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    std::string id = "c";
    for (int i = 0; i < 24; i++) id += digits[randombytes_uniform(36)];
    return id;
}

}  // namespace mskanban::cli
