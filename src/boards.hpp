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

// Takes the board's position lock: every change of column or card order on a board
// holds it until commit, so concurrent moves and inserts apply one after another.
void lock_board_positions(pqxx::transaction_base &tx, const std::string &board_id);

}  // namespace msk
