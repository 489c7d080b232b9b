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
    std::vector<std::string> labels;  // decrypted names, or colours when unnamed
};

struct ColumnView {
    std::string id, name, position;
    long long wip_limit = 0;  // 0: none
    bool is_done = false;
    std::vector<CardView> cards;
};

struct BoardView {
    std::string id, workspace_id, name;
    std::vector<ColumnView> columns;
    std::vector<std::string> errors;
};

extern const char kUndecryptable[];

Outcome<BoardView> load_board(Ctx &ctx, Keyring &keys, const std::string &board_id, bool include_archived);

// Decrypt one card object (from GET /cards/:id or a list) under its board key.
CardView card_view(const crypto::SecretBytes &bk, const Json &card, std::vector<std::string> &errors);

// JSON form of the decrypted views (for --json and export).
Json board_json(const BoardView &b);
Json card_json(const CardView &c);

// Prints each collected error on stderr; returns kDecrypt if there were any.
Status report_decrypt_errors(const std::vector<std::string> &errors);

}  // namespace mskanban::cli
