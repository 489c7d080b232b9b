// `activity BOARD_ID`: the board's feed (metadata only on the server), newest
// first, following the cursor up to --limit rows; card and column targets
// are shown with their decrypted titles when they still exist.
#include <iostream>
#include <map>

#include "board_data.hpp"
#include "commands.hpp"
#include "safe_text.hpp"

namespace mskanban::cli {

Status cmd_activity(Ctx &ctx) {
    if (ctx.args.pos.size() != 1) return fail(kUsage, "usage: mskanban activity BOARD_ID [--limit N]");
    const std::string &board_id = ctx.args.pos[0];
    long limit = ctx.args.has("limit") ? std::atol(ctx.args.get("limit").c_str()) : 50;
    if (limit < 1) limit = 50;

    Keyring keys(ctx);
    auto b = load_board(ctx, keys, board_id, true);
    if (!b) return b.failure();
    std::map<std::string, std::string> names;
    names[board_id] = b.value().name;
    for (const auto &col : b.value().columns) {
        names[col.id] = col.name;
        for (const auto &card : col.cards) names[card.id] = card.title;
    }

    Json rows = array();
    std::string cursor;
    while (static_cast<long>(json_array_size(rows.get())) < limit) {
        std::string path = "/boards/" + url_escape(board_id) + "/activity?limit=" + std::to_string(std::min(limit, 100L));
        if (!cursor.empty()) path += "&before=" + url_escape(cursor);
        auto r = ctx.api->get(path);
        if (!r) return r.failure();
        Json page = unwrap_list(r.value(), "activity");
        for (size_t i = 0; i < page.size() && static_cast<long>(json_array_size(rows.get())) < limit; i++)
            json_array_append(rows.get(), page.at(i).get());
        cursor = r.value().str("nextCursor");
        if (cursor.empty() || page.size() == 0) break;
    }

    if (ctx.json) {
        for (size_t i = 0; i < rows.size(); i++) {
            Json row = rows.at(i);
            auto it = names.find(row.str("targetId"));
            if (it != names.end()) row.set("targetName", it->second);
        }
        std::cout << rows.dump(true) << "\n";
    } else {
        for (size_t i = 0; i < rows.size(); i++) {
            Json row = rows.at(i);
            std::string when = row.str("timestamp", row.str("createdAt"));
            std::string target = row.str("targetType") + " " + row.str("targetId");
            auto it = names.find(row.str("targetId"));
            if (it != names.end()) target += " \"" + it->second + "\"";
            std::cout << safe_line(when) << "  " << safe_line(row.str("verb")) << "  " << safe_line(target) << "  by "
                      << safe_line(row.str("actorId")) << "\n";
        }
        if (rows.size() == 0) std::cout << "No activity yet.\n";
    }
    return report_decrypt_errors(b.value().errors);
}

}  // namespace mskanban::cli
