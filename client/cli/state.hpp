// The session file: what the CLI keeps between runs, and nothing more.
//
// Path: --state FILE, else $MSKANBAN_STATE, else
// $XDG_CONFIG_HOME/mskanban/session.json (~/.config/mskanban/session.json).
// Mode 0600 in a 0700 directory; written atomically (temp file + rename);
// refused when group or others can read it.
//
// Contents, and why each is there:
//   server, email, userId      which account on which server
//   sessionToken, expiresAt    the session cookie, so each command need not log in
//   publicKey                  to check the private key and to show in whoami
//   userSymmetricKey           to open workspace keys, then board keys, then content
//   privateKey                 X25519 secret, to open workspace keys sealed by an invite
// Never stored: the password, the Master Key, the authHash, the recovery
// phrase, workspace or board keys. Deleted by `logout` and when the server
// says the session is gone. Anyone who can read this file can read your
// boards until then, exactly as with an unlocked browser tab.
#pragma once

#include <string>

#include "crypto/secret.hpp"
#include "outcome.hpp"

namespace mskanban::cli {

struct SessionState {
    std::string server;
    std::string email;
    std::string user_id;
    std::string session_token;
    std::string expires_at;
    std::string public_key;
    crypto::SecretBytes usk;
    crypto::SecretBytes private_key;
    bool logged_in() const { return !session_token.empty() && !usk.empty(); }
};

std::string default_state_path();

// A missing file is not an error: it yields an empty state.
Outcome<SessionState> load_state(const std::string &path);
Status save_state(const std::string &path, const SessionState &s);
Status remove_state(const std::string &path);

}  // namespace mskanban::cli
