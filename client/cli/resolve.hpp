// Resolving what the person typed into ids: a column given by id or by its
// (decrypted) name, case-insensitively, within a board; and a card's board.
#pragma once

#include <string>
#include <vector>

#include "board_data.hpp"

namespace mskanban::cli {

// ASCII lower case (names are matched case-insensitively in ASCII only).
std::string lower_ascii(std::string s);

// The index of the entry whose id is `key`, else of the one whose name(entry)
// equals it case-insensitively; a kUsage failure when two names match ("use
// its id") or none does (listing the choices as "name (id)"). `what` names
// the kind: "column", "checklist", ...
template <class T, class Name>
Outcome<size_t> find_by_id_or_name(const std::vector<T> &v, const std::string &key, Name name, const std::string &what) {
    for (size_t i = 0; i < v.size(); i++)
        if (v[i].id == key) return i;
    size_t found = v.size();
    for (size_t i = 0; i < v.size(); i++) {
        if (lower_ascii(name(v[i])) != lower_ascii(key)) continue;
        if (found != v.size()) return fail(kUsage, "more than one " + what + " is named \"" + key + "\": use its id");
        found = i;
    }
    if (found != v.size()) return found;
    std::string names;
    for (const auto &e : v) names += (names.empty() ? "" : ", ") + name(e) + " (" + e.id + ")";
    return fail(kUsage, "no " + what + " \"" + key + "\"; " + what + "s: " + (names.empty() ? "none" : names));
}

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
