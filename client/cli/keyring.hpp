// Keyring: walks the key hierarchy for the objects a command touches.
//
// workspace id -> GET /workspaces/:id -> this member's encWorkspaceKey, opened
// with the USK (own rows) or the X25519 key (sealed invitations);
// board id -> GET /boards/:id -> encBoardKey, opened with the Workspace Key.
// Keys are cached for the life of one command and wiped with it. decrypt()
// names the field that failed ("card c12 title: cannot decrypt ...") so a
// tampered or moved ciphertext is reported, never shown as something else.
#pragma once

#include <map>
#include <string>

#include "context.hpp"
#include "crypto/hierarchy.hpp"
#include "json.hpp"

namespace mskanban::cli {

class Keyring {
public:
    explicit Keyring(Ctx &ctx);

    Outcome<Json> workspace(const std::string &ws_id);  // the workspace object
    Outcome<Json> board(const std::string &board_id);   // the board object
    Outcome<const crypto::SecretBytes *> workspace_key(const std::string &ws_id);
    Outcome<const crypto::SecretBytes *> board_key(const std::string &board_id);
    // Objects already at hand (an account export): workspace_key() and board_key()
    // then open their keys without asking the server.
    void remember_workspace(const std::string &ws_id, const Json &ws) { workspaces_[ws_id] = ws; }
    void remember_board(const std::string &board_id, const Json &board) { boards_[board_id] = board; }
    // The X25519 key pair and USK of the logged-in user.
    const crypto::AccountKeys &account() const { return account_; }

private:
    Ctx &ctx_;
    crypto::AccountKeys account_;
    std::map<std::string, Json> workspaces_, boards_;
    std::map<std::string, crypto::SecretBytes> wkeys_, bkeys_;
};

// Decrypt one envelope field to text; `what` names it for the error message.
// A missing or null field decrypts to "".
Outcome<std::string> decrypt(const crypto::SecretBytes &key, const std::string &aad, const std::string &env,
                             const std::string &what);
// Encrypt text (never fails for a 32-byte key).
std::string encrypt(const crypto::SecretBytes &key, const std::string &aad, const std::string &text);

// A fresh client-side id in the server's shape: "c" + 24 lowercase base36 chars.
std::string new_id();

// The member's wrapped workspace key inside a workspace object, wherever the
// server puts it (encWorkspaceKey, member.encWorkspaceKey, membership.encWorkspaceKey).
std::string member_wrapped_key(const Json &ws);

}  // namespace mskanban::cli
