// Due-date events (see due_dates.hpp). Queries in src/queries/jobs.sql.
#include "due_dates.hpp"

#include "activity.hpp"
#include "boards.hpp"
#include "ticks.hpp"

namespace msk {

int run_due_dates(Db &db, Redis &redis, int batch) {
    pqxx::result cards;
    {
        pqxx::work tx(db.conn());
        cards = tx.exec_prepared("jobs_due_cards", batch);
        tx.commit();
    }
    int emitted = 0;
    for (const auto &c : cards) {
        std::string card = c["id"].as<std::string>(), board = c["board_id"].as<std::string>();
        // One transaction per card, board lock first (the lock order of boards.hpp); a
        // second runner finds the card marked and emits nothing.
        Tx tx(db);
        lock_board_positions(tx, board);
        auto marked = tx.exec_prepared("jobs_mark_due_reached", card);
        if (marked.empty()) {
            tx.rollback();
            continue;
        }
        Event ev = make_event(c["workspace_id"].as<std::string>(), board, "", "CARD_DUE_REACHED", "card", card);
        json_object_set_new(ev.meta.get(), "dueAt", json_string(marked[0]["due_at"].c_str()));
        record_activity(tx, ev);
        publish_tick_after_commit(tx, redis, std::move(ev));
        tx.commit();
        emitted++;
    }
    return emitted;
}

}  // namespace msk
