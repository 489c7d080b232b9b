// Columns (see columns.hpp). Queries in src/queries/columns.sql.
#include "columns.hpp"

#include "activity.hpp"
#include "authz.hpp"
#include "boards.hpp"
#include "ids.hpp"
#include "positions.hpp"
#include "ticks.hpp"

namespace msk {

namespace {

Column column_from(const pqxx::row &r) {
    Column c;
    c.id = r["id"].as<std::string>();
    c.board_id = r["board_id"].as<std::string>();
    c.enc_name = r["enc_name"].as<std::string>();
    c.position = r["position"].as<std::string>();
    if (!r["wip_limit"].is_null()) c.wip_limit = r["wip_limit"].as<int64_t>();
    c.is_done = r["is_done"].as<bool>();
    c.created_at = r["created_at"].as<std::string>();
    c.updated_at = r["updated_at"].as<std::string>();
    return c;
}

// Where a column goes among the board's other columns; applies any rebalance.
Result<std::string> place_column(pqxx::transaction_base &tx, const std::string &board_id,
                                 const std::string &column_id, const ColumnChange &in) {
    std::vector<Sibling> siblings;
    for (const auto &row : tx.exec_prepared("column_positions", board_id, column_id))
        siblings.push_back({row["id"].as<std::string>(), row["position"].as<std::string>(), false});
    auto p = place_item(siblings, in.after_id, in.before_id, "afterColumnId", "beforeColumnId");
    if (!p) return p.error();
    if (!p->rewrites.empty()) {
        auto lists = joined_pairs(p->rewrites);
        tx.exec_prepared("column_set_positions", lists.first, lists.second);
    }
    return p->key;
}

}  // namespace

Result<std::vector<Column>> list_columns(Tx &tx, const std::string &user_id, const std::string &board_id) {
    auto a = authorize_board(tx, user_id, board_id, Need::read);
    if (!a) return a.error();
    std::vector<Column> out;
    for (const auto &row : tx.exec_prepared("columns_of_board", board_id)) out.push_back(column_from(row));
    return out;
}

Result<Column> create_column(Tx &tx, Redis &redis, const std::string &user_id, const std::string &board_id,
                             const ColumnChange &in) {
    auto a = authorize_board(tx, user_id, board_id, Need::write);
    if (!a) return a.error();
    lock_board_positions(tx, board_id);
    auto pos = place_column(tx, board_id, in.id, in);
    if (!pos) return pos.error();
    auto r = tx.exec_prepared("column_insert", in.id, board_id, *in.enc_name, *pos, in.wip_limit,
                              in.is_done.value_or(false));
    if (r.empty()) return conflict("a column with this id already exists");
    Column c = column_from(r[0]);
    Event ev = make_event(a->workspace_id, board_id, user_id, "COLUMN_CREATED", "column", c.id);
    record_activity(tx, ev);
    publish_tick_after_commit(tx, redis, std::move(ev));
    return c;
}

Result<Column> update_column(Tx &tx, Redis &redis, const std::string &user_id, const std::string &column_id,
                             const ColumnChange &in) {
    auto a = authorize_column(tx, user_id, column_id, Need::write);
    if (!a) return a.error();
    // The board before the column (lock order), also for a rename: the board's list
    // version is bumped in this transaction either way.
    lock_board_positions(tx, a->board_id);
    std::optional<std::string> pos;
    if (in.move) {
        auto p = place_column(tx, a->board_id, column_id, in);
        if (!p) return p.error();
        pos = *p;
    }
    auto r = tx.exec_prepared("column_update", column_id, in.enc_name, in.wip_limit_set, in.wip_limit, in.is_done, pos);
    if (r.empty()) return not_found("no such column");
    Column c = column_from(r[0]);
    bool only_moved = in.move && !in.enc_name && !in.wip_limit_set && !in.is_done;
    Event ev = make_event(a->workspace_id, a->board_id, user_id, only_moved ? "COLUMN_MOVED" : "COLUMN_UPDATED",
                          "column", column_id);
    if (in.wip_limit_set) json_object_set_new(ev.meta.get(), "wipLimit", c.wip_limit ? json_integer(*c.wip_limit) : json_null());
    if (in.is_done) json_object_set_new(ev.meta.get(), "isDone", json_boolean(c.is_done));
    if (in.move) json_object_set_new(ev.meta.get(), "moved", json_true());
    if (in.enc_name) json_object_set_new(ev.meta.get(), "renamed", json_true());
    record_activity(tx, ev);
    publish_tick_after_commit(tx, redis, std::move(ev));
    return c;
}

Result<ColumnDeletion> delete_column(Tx &tx, Redis &redis, const std::string &user_id,
                                     const std::string &column_id, const std::optional<std::string> &move_cards_to) {
    auto a = authorize_column(tx, user_id, column_id, Need::write);
    if (!a) return a.error();
    lock_board_positions(tx, a->board_id);
    auto cards = tx.exec_prepared("card_positions", column_id, "");
    ColumnDeletion out;
    if (move_cards_to) {
        if (*move_cards_to == column_id) return bad_request("\"moveCardsTo\" must be another column");
        auto target = is_valid_id(*move_cards_to) ? tx.exec_prepared("column_board", *move_cards_to) : pqxx::result();
        if (target.empty() || target[0]["board_id"].as<std::string>() != a->board_id)
            return bad_request("\"moveCardsTo\" does not name another column of this board");
        out.to_column_id = move_cards_to;
    } else if (!cards.empty()) {
        return conflict("the column still holds " + std::to_string(cards.size()) +
                        " card(s); delete it with ?moveCardsTo=<columnId> to move them to another column of the "
                        "board, or move or delete them first");
    }
    if (move_cards_to && !cards.empty()) {
        // Append the cards, in their order, after the target's last card: one statement.
        auto last = tx.exec_prepared("card_last_position", *move_cards_to);
        std::optional<std::string> prev;
        if (!last.empty()) prev = last[0]["position"].as<std::string>();
        std::vector<std::pair<std::string, std::string>> moves;
        for (const auto &row : cards) {
            prev = key_between(prev, std::nullopt);
            moves.emplace_back(row["id"].as<std::string>(), *prev);
        }
        auto lists = joined_pairs(moves);
        out.moved_cards = static_cast<int64_t>(tx.exec_prepared("cards_set_column_positions", *move_cards_to,
                                                                lists.first, lists.second).affected_rows());
    }
    tx.exec_prepared("column_delete", column_id);
    Event ev = make_event(a->workspace_id, a->board_id, user_id, "COLUMN_DELETED", "column", column_id);
    json_object_set_new(ev.meta.get(), "movedCards", json_integer(out.moved_cards));
    json_object_set_new(ev.meta.get(), "toColumnId", jstr_or_null(out.to_column_id));
    record_activity(tx, ev);
    publish_tick_after_commit(tx, redis, std::move(ev));
    return out;
}

}  // namespace msk
