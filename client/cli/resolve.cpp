// Name and id resolution (see resolve.hpp).
#include "resolve.hpp"

#include <algorithm>
#include <cctype>

namespace mskanban::cli {

namespace {
std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}
}  // namespace

Outcome<size_t> find_column(const BoardView &b, const std::string &id_or_name) {
    for (size_t i = 0; i < b.columns.size(); i++)
        if (b.columns[i].id == id_or_name) return i;
    size_t found = b.columns.size();
    for (size_t i = 0; i < b.columns.size(); i++) {
        if (lower(b.columns[i].name) != lower(id_or_name)) continue;
        if (found != b.columns.size()) return fail(kUsage, "more than one column is named \"" + id_or_name + "\": use its id");
        found = i;
    }
    if (found != b.columns.size()) return found;
    std::string names;
    for (const auto &c : b.columns) names += (names.empty() ? "" : ", ") + c.name + " (" + c.id + ")";
    return fail(kUsage, "no column \"" + id_or_name + "\" on board " + b.id + "; columns: " + (names.empty() ? "none" : names));
}

Outcome<CardRef> fetch_card(Ctx &ctx, const std::string &card_id) {
    auto r = ctx.api->get("/cards/" + url_escape(card_id));
    if (!r) return r.failure();
    CardRef ref;
    ref.card = unwrap_object(r.value(), "card");
    ref.board_id = ref.card.str("boardId", ctx.args.get("board"));
    if (ref.board_id.empty()) return fail(kGeneral, "the server did not say which board card " + card_id + " is on; pass --board BOARD_ID");
    return ref;
}

Outcome<std::string> due_date(const std::string &s) {
    auto digits = [&](size_t from, size_t n) {
        for (size_t i = from; i < from + n; i++)
            if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
        return true;
    };
    bool day = s.size() >= 10 && digits(0, 4) && s[4] == '-' && digits(5, 2) && s[7] == '-' && digits(8, 2);
    if (day && s.size() == 10) return s + "T00:00:00.000Z";
    if (day && s.size() > 10 && s[10] == 'T' && s.back() == 'Z') return s;
    return fail(kUsage, "--due wants a date like 2026-06-01 or 2026-06-01T17:00:00.000Z, not \"" + s + "\"");
}

}  // namespace mskanban::cli
