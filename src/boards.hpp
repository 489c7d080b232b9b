// Boards: a workspace's boards, each with its Board Key wrapped by the Workspace Key
// (encBoardKey) and an encrypted name. Members and owners create and change boards;
// viewers read them.
#pragma once

#include <string>
#include <vector>

#include "db.hpp"
#include "error.hpp"

namespace msk {

class Redis;

struct Board {
    std::string id, workspace_id, enc_name, enc_board_key, created_at, updated_at;
};

Result<std::vector<Board>> list_boards(Tx &tx, const std::string &user_id, const std::string &workspace_id);
// `id` is client-chosen (ciphertext is bound to it); 409 when taken.
Result<Board> create_board(Tx &tx, Redis &redis, const std::string &user_id, const std::string &workspace_id,
                           const std::string &id, const std::string &enc_name, const std::string &enc_board_key);
Result<Board> get_board(Tx &tx, const std::string &user_id, const std::string &board_id);
Result<Board> rename_board(Tx &tx, Redis &redis, const std::string &user_id, const std::string &board_id,
                           const std::string &enc_name);
// Deletes the board with its columns, cards and feed; the BOARD_DELETED event is kept in
// the workspace's feed and published on the board's channel.
Status delete_board(Tx &tx, Redis &redis, const std::string &user_id, const std::string &board_id);

// Takes the board's lock (its row, FOR NO KEY UPDATE): every write to a board's columns
// or cards takes it first, right after the authorization check and before any column
// or card row, and holds it until commit. So concurrent moves and inserts apply one
// after another, and the lock order is the same everywhere (workspace, membership,
// board, column, card): the version trigger's board update and the activity row's
// key-share lock on the board never come after a card lock (no deadlock with a board's
// deletion, which locks the board and then its cards).
void lock_board_positions(pqxx::transaction_base &tx, const std::string &board_id);

}  // namespace msk
