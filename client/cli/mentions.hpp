// @email mentions in a comment: found in the text the person typed, resolved
// to the user ids of workspace members (GET /workspaces/:id/members), and sent
// as `mentions` so the server can notify them. The text itself keeps the
// @email as typed; only the ids leave the client in plaintext.
#pragma once

#include <string>
#include <vector>

#include "board_data.hpp"

namespace mskanban::cli {

// The addresses mentioned: a word that starts with '@' (at the start or after
// a space or an opening bracket) and holds another '@', with trailing
// punctuation (.,;:!?)]}'") dropped. In order, each once, lower-cased.
std::vector<std::string> mentioned_emails(const std::string &text);

// User ids for `emails` from the workspace's members, in the order given. A mention of someone who is not a member is a kUsage
// failure naming the address: the comment is not sent.
Outcome<std::vector<std::string>> resolve_mentions(const std::vector<std::string> &emails,
                                                   const std::vector<MemberView> &members);

}  // namespace mskanban::cli
