// What a board's cards refer to by id: its labels (name under the Board Key
// bound to label:<id>, colour plaintext), its milestones (name bound to
// milestone:<id>, due date and archived flag plaintext) and the members of
// its workspace (user id -> email). load_board_meta() fetches all three for a
// loaded board and resolves every card's labelIds, assigneeIds and
// milestoneId into names (resolve_card). The finders turn what the person
// typed (an id, a decrypted name, an email) into one of them, or a kUsage
// failure that lists the choices.
//
// A name that fails to decrypt is "[cannot decrypt]" and named in the errors,
// as for the rest of the board (board_data.hpp).
#pragma once

#include <string>
#include <vector>

#include "board_data.hpp"

namespace mskanban::cli {

// One label or milestone object of the API, decrypted.
LabelView label_view(const crypto::SecretBytes &bk, const Json &label, std::vector<std::string> &errors);
MilestoneView milestone_view(const crypto::SecretBytes &bk, const Json &milestone, std::vector<std::string> &errors);

Outcome<std::vector<LabelView>> load_labels(Ctx &ctx, const crypto::SecretBytes &bk, const std::string &board_id,
                                            std::vector<std::string> &errors);
// With archived ones when `archived`. A server without milestones (404 on the
// list of a board it just served) gives an empty list.
Outcome<std::vector<MilestoneView>> load_milestones(Ctx &ctx, const crypto::SecretBytes &bk,
                                                    const std::string &board_id, bool archived,
                                                    std::vector<std::string> &errors);
Outcome<std::vector<MemberView>> load_members(Ctx &ctx, const std::string &workspace_id);

// Labels, milestones (archived included: a card may keep one) and members of
// b, then resolve_card() on every card.
Status load_board_meta(Ctx &ctx, Keyring &keys, BoardView &b);
void resolve_card(CardView &c, const BoardView &b);
// The same for one card of board `board_id` (card show); name errors go to `errors`.
Status resolve_card_refs(Ctx &ctx, Keyring &keys, const std::string &board_id, CardView &c,
                         std::vector<std::string> &errors);

// By id, else by name (case-insensitive, must be unique).
Outcome<LabelView> find_label(const std::vector<LabelView> &labels, const std::string &id_or_name);
Outcome<MilestoneView> find_milestone(const std::vector<MilestoneView> &ms, const std::string &id_or_name);
// By email (case-insensitive) or user id.
Outcome<MemberView> find_member(const std::vector<MemberView> &members, const std::string &email_or_id);

}  // namespace mskanban::cli
