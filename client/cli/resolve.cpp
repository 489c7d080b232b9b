// Name and id resolution (see resolve.hpp).
#include "resolve.hpp"

#include <algorithm>
#include <cctype>

namespace mskanban::cli {

std::string lower_ascii(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

Outcome<size_t> find_column(const BoardView &b, const std::string &id_or_name) {
    return find_by_id_or_name(b.columns, id_or_name, [](const ColumnView &c) { return c.name; }, "column");
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
