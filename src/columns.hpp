// Columns of a board: an encrypted name, a fractional position key, an optional WIP
// limit and the "done" flag (plaintext metadata). Order changes take the board's
// position lock. Deleting a column that still holds cards needs an explicit choice:
// refused by default (409), or its cards moved to another column of the board.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db.hpp"
#include "error.hpp"
#include "json.hpp"

namespace msk {

class Redis;

struct Column {
    std::string id, board_id, enc_name, position;
    std::optional<int64_t> wip_limit;
    bool is_done = false;
    std::string created_at, updated_at;
};

struct ColumnChange {
    std::string id;                        // create: the client-chosen id
    std::optional<std::string> enc_name;   // required to create
    bool wip_limit_set = false;            // wipLimit given (null clears it)
    std::optional<int64_t> wip_limit;
    std::optional<bool> is_done;
    bool move = false;  // place by the neighbours below (create always places)
    std::optional<std::string> after_id, before_id;
};

struct ColumnDeletion {
    int64_t moved_cards = 0;
    std::optional<std::string> to_column_id;
};

Result<std::vector<Column>> list_columns(Tx &tx, const std::string &user_id, const std::string &board_id);
Result<Column> create_column(Tx &tx, Redis &redis, const std::string &user_id, const std::string &board_id,
                             const ColumnChange &in);
Result<Column> update_column(Tx &tx, Redis &redis, const std::string &user_id, const std::string &column_id,
                             const ColumnChange &in);
// `move_cards_to`: the column of the same board that receives the cards (appended in
// their order); without it a column with cards is not deleted (409).
Result<ColumnDeletion> delete_column(Tx &tx, Redis &redis, const std::string &user_id,
                                     const std::string &column_id, const std::optional<std::string> &move_cards_to);

}  // namespace msk
