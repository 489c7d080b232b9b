// What hangs off a card besides its own fields: comments, checklists and
// custom field values, loaded and decrypted for `card show` and for the
// comment, checklist, item, field and template commands. As in board_data.hpp,
// a field that fails to decrypt becomes "[cannot decrypt]" and its named error
// goes to `errors`; views hold exact text, and the print functions escape it
// (safe_text.hpp): one-line fields with safe_line, bodies indented line by line.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "board_data.hpp"
#include "done.hpp"
#include "json.hpp"
#include "keyring.hpp"

namespace mskanban::cli {

struct CommentView {
    std::string id, author_id, created_at, updated_at, text;
    std::vector<std::string> mentions;  // user ids
};

struct ItemView {
    std::string id, text;
    bool done = false;
};

struct ChecklistView {
    std::string id, title;
    std::vector<ItemView> items;
    size_t done() const;
};

struct FieldDef {
    std::string id, name, type;
    std::vector<std::string> options;  // dropdowns
};

struct FieldValueView {
    std::string field_id, name, type, value;  // value: the exact plaintext
    std::string display;                      // field_display(): [x], a day, ... (not escaped)
};

// The Board Key of the board that holds card `card_id` (one GET of the card);
// `card` receives the card object when not null.
Outcome<const crypto::SecretBytes *> card_board_key(Ctx &ctx, Keyring &keys, const std::string &card_id,
                                                    Json *card = nullptr, std::string *board_id = nullptr);

// Every page, oldest first.
Outcome<std::vector<CommentView>> load_comments(Ctx &ctx, const crypto::SecretBytes &bk, const std::string &card_id,
                                                std::vector<std::string> &errors);
Outcome<std::vector<ChecklistView>> load_checklists(Ctx &ctx, const crypto::SecretBytes &bk, const std::string &card_id,
                                                    std::vector<std::string> &errors);
Outcome<std::vector<FieldDef>> load_fields(Ctx &ctx, const crypto::SecretBytes &bk, const std::string &board_id,
                                           std::vector<std::string> &errors);
// The card's values (its `customFields`), in field order; values of unknown fields are skipped.
std::vector<FieldValueView> card_field_values(const crypto::SecretBytes &bk, const Json &card,
                                              const std::vector<FieldDef> &defs, std::vector<std::string> &errors);

// Everything `card show` adds to a card: its comments (with the workspace's
// members, to name authors and mentions), checklists, and custom field values
// (definitions fetched only when the card has values).
struct CardParts {
    std::vector<CommentView> comments;
    std::vector<ChecklistView> checklists;
    std::vector<FieldValueView> fields;
    std::vector<MemberView> members;
};
Outcome<CardParts> load_card_parts(Ctx &ctx, Keyring &keys, const Json &card, const std::string &board_id,
                                   std::vector<std::string> &errors);
// Adds checklist {done, total}, checklists, customFields and comments to a card's --json object.
void add_card_parts_json(Json &card, const CardParts &parts);
// The text form, after the card's own fields (two-space indent like them).
void print_card_parts(std::ostream &os, const CardParts &parts);

// A checklist or field given by id or (decrypted) title/name, case-insensitively; kUsage otherwise.
Outcome<size_t> find_checklist(const std::vector<ChecklistView> &lists, const std::string &id_or_title);
Outcome<size_t> find_field(const std::vector<FieldDef> &defs, const std::string &id_or_name);

// Text output (escaped) and --json forms.
void print_comments(std::ostream &os, const std::vector<CommentView> &comments, const std::vector<MemberView> &members,
                    const std::string &indent);
void print_checklists(std::ostream &os, const std::vector<ChecklistView> &lists, const std::string &indent);
void print_field_values(std::ostream &os, const std::vector<FieldValueView> &values, const std::string &indent);
// Each line of `text` after `indent`, escaped with safe_text (line breaks kept).
void print_block(std::ostream &os, const std::string &text, const std::string &indent);
Json comments_json(const std::vector<CommentView> &comments, const std::vector<MemberView> &members);
Json checklists_json(const std::vector<ChecklistView> &lists);
Json field_values_json(const std::vector<FieldValueView> &values);

}  // namespace mskanban::cli
