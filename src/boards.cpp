// Boards (see boards.hpp). Queries in src/queries/boards.sql.
#include "boards.hpp"

#include "activity.hpp"
#include "authz.hpp"
#include "sessions.hpp"
#include "ticks.hpp"

namespace msk {

namespace {

Board board_from(const pqxx::row &r) {
    return {r["id"].as<std::string>(),       r["workspace_id"].as<std::string>(),
            r["enc_name"].as<std::string>(), r["enc_board_key"].as<std::string>(),
            r["created_at"].as<std::string>(), r["updated_at"].as<std::string>()};
}

}  // namespace

void lock_board_positions(pqxx::transaction_base &tx, const std::string &board_id) {
    tx.exec_prepared("board_lock", board_id);
}

Result<std::vector<Board>> list_boards(Tx &tx, const std::string &user_id, const std::string &workspace_id) {
    auto a = authorize_workspace(tx, user_id, workspace_id, Need::read);
    if (!a) return a.error();
    std::vector<Board> out;
    for (const auto &row : tx.exec_prepared("boards_of_workspace", workspace_id)) out.push_back(board_from(row));
    return out;
}

Result<Board> create_board(Tx &tx, Redis &redis, const std::string &user_id, const std::string &workspace_id,
                           const std::string &id, const std::string &enc_name, const std::string &enc_board_key) {
    auto a = authorize_workspace(tx, user_id, workspace_id, Need::write);
    if (!a) return a.error();
    auto r = tx.exec_prepared("board_insert", id, workspace_id, enc_name, enc_board_key, user_id);
    if (r.empty()) return conflict("a board with this id already exists");
    Board b = board_from(r[0]);
    Event ev = make_event(workspace_id, id, user_id, "BOARD_CREATED", "board", id);
    record_activity(tx, ev);
    publish_tick_after_commit(tx, redis, std::move(ev));
    return b;
}

Result<Board> get_board(Tx &tx, const std::string &user_id, const std::string &board_id) {
    auto a = authorize_board(tx, user_id, board_id, Need::read);
    if (!a) return a.error();
    return board_from(tx.exec_prepared("board_by_id", board_id)[0]);
}

Result<Board> rename_board(Tx &tx, Redis &redis, const std::string &user_id, const std::string &board_id,
                           const std::string &enc_name) {
    auto a = authorize_board(tx, user_id, board_id, Need::write);
    if (!a) return a.error();
    Board b = board_from(tx.exec_prepared("board_rename", board_id, enc_name)[0]);
    Event ev = make_event(a->workspace_id, board_id, user_id, "BOARD_UPDATED", "board", board_id);
    record_activity(tx, ev);
    publish_tick_after_commit(tx, redis, std::move(ev));
    return b;
}

Status delete_board(Tx &tx, Redis &redis, const std::string &user_id, const std::string &board_id) {
    auto a = authorize_board(tx, user_id, board_id, Need::write);
    if (!a) return a.error();
    tx.exec_prepared("board_delete", board_id);
    // The board's own feed goes with it; the workspace keeps the deletion.
    Event ev = make_event(a->workspace_id, "", user_id, "BOARD_DELETED", "board", board_id);
    record_activity(tx, ev);
    ev.board_id = board_id;  // still tell the board's live viewers
    publish_tick_after_commit(tx, redis, std::move(ev));
    // Then close every live stream and relay connection on the board.
    JsonPtr revoke = own(json_pack("{s:s, s:s, s:s}", "type", "board", "boardId", board_id.c_str(),
                                   "workspaceId", a->workspace_id.c_str()));
    publish_revocation_after_commit(tx, redis, dump(revoke.get()));
    drop_tick_streams_after_commit(tx, redis, {board_id});
    return ok_status();
}

}  // namespace msk
