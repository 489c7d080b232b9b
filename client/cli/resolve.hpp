// Resolving what the person typed into ids: a column given by id or by its
// (decrypted) name, case-insensitively, within a board; and a card's board.
#pragma once

#include <string>

#include "board_data.hpp"

namespace mskanban::cli {

// Index into b.columns, or a kUsage failure listing the columns.
Outcome<size_t> find_column(const BoardView &b, const std::string &id_or_name);

// The card object (GET /cards/:id) and the id of its board (from the card,
// else --board).
struct CardRef {
    Json card;
    std::string board_id;
};
Outcome<CardRef> fetch_card(Ctx &ctx, const std::string &card_id);

// "2026-06-01" -> "2026-06-01T00:00:00.000Z"; full timestamps pass through.
Outcome<std::string> due_date(const std::string &s);

}  // namespace mskanban::cli
