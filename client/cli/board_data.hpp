// Loads a board with its columns and cards and decrypts every field, for
// `board show`, `card show`, `activity` and `export`.
//
// A field that fails to decrypt, or whose plaintext is not valid UTF-8, does
// not stop the load: its text becomes "[cannot decrypt]", and the named error
// ("card c12 title: cannot decrypt ...") is collected in `errors` so the
// command can print it and exit with kDecrypt. The wrong plaintext is never
// shown. Views hold the exact decrypted text; printing it on a terminal goes
// through safe_text.hpp.
#pragma once

#include <string>
#include <vector>

#include "json.hpp"
#include "keyring.hpp"

namespace mskanban::cli {

struct CardView {
    std::string id, column_id, title, description, due_at, start_at, position;
    bool has_description = false;  // false: encDescription is null (no description)
    bool archived = false;
    // Plaintext references the server sends on every card.
    std::vector<std::string> label_ids, assignee_ids;
    std::string milestone_id;
    // Filled by resolve_card() from the board's labels, members and milestones
    // (board_meta.hpp): label names, assignee emails, the milestone's name.
    std::vector<std::string> labels, label_colours, assignees;
    std::string milestone;
};

struct ColumnView {
    std::string id, name, position;
    long long wip_limit = 0;  // 0: none
    bool is_done = false;
    std::vector<CardView> cards;
};

struct LabelView {
    std::string id, name, colour;  // colour: plaintext, a palette name or #rrggbb
};

struct MilestoneView {
    std::string id, name, due_at;
    bool archived = false;
};

struct MemberView {
    std::string user_id, email, role;
};

struct BoardView {
    std::string id, workspace_id, name;
    std::vector<ColumnView> columns;
    // Loaded by load_board_meta() (board_meta.hpp), empty otherwise.
    std::vector<LabelView> labels;
    std::vector<MilestoneView> milestones;
    std::vector<MemberView> members;
    std::vector<std::string> errors;
};

extern const char kUndecryptable[];

// The decrypted text of one envelope field, or kUndecryptable with the named
// error (`what`: "card c12 title") appended to `errors`.
std::string text_or_mark(const crypto::SecretBytes &key, const std::string &label, const std::string &env,
                         const std::string &what, std::vector<std::string> &errors);

Outcome<BoardView> load_board(Ctx &ctx, Keyring &keys, const std::string &board_id, bool include_archived);

// Decrypt one column object (from the column list) under its board key; no cards.
ColumnView column_view(const crypto::SecretBytes &bk, const Json &column, std::vector<std::string> &errors);

// Decrypt one card object (from GET /cards/:id or a list) under its board key.
CardView card_view(const crypto::SecretBytes &bk, const Json &card, std::vector<std::string> &errors);

// JSON form of the decrypted views (for --json and export). A card carries its
// labelIds, assigneeIds and milestoneId, and the names they resolve to
// (labels, assignees, milestone) when resolve_card() has run.
Json board_json(const BoardView &b);
Json card_json(const CardView &c);

// Prints each collected error on stderr; returns kDecrypt if there were any.
Status report_decrypt_errors(const std::vector<std::string> &errors);

}  // namespace mskanban::cli
