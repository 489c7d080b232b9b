// Activity rows: recording inside a mutation's transaction, and the paged board feed.
#include "activity.hpp"

#include "authz.hpp"
#include "ids.hpp"
#include "page_cursor.hpp"

namespace msk {

Event make_event(const std::string &workspace_id, const std::string &board_id, const std::string &actor_id,
                 const char *verb, const char *target_type, const std::string &target_id) {
    Event e;
    e.workspace_id = workspace_id;
    e.board_id = board_id;
    e.actor_id = actor_id;
    e.verb = verb;
    e.target_type = target_type;
    e.target_id = target_id;
    return e;
}

void record_activity(Tx &tx, Event &e) {
    tx.note_scope(e.workspace_id, e.board_id);
    e.id = new_id();
    std::optional<std::string> board, actor;
    if (!e.board_id.empty()) board = e.board_id;
    if (!e.actor_id.empty()) actor = e.actor_id;  // none for the job runner's events
    // The same statement writes the event's webhook deliveries (the outbox, see
    // src/queries/activity.sql), so every verb gets them.
    auto r = tx.exec_prepared("activity_insert", e.id, e.workspace_id, board, actor, e.verb, e.target_type,
                              e.target_id, dump(e.meta.get()));
    e.created_at = r[0]["created_at"].as<std::string>();
}

json_t *event_json(const Event &e) {
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:O}", "id", e.id.c_str(), "boardId", e.board_id.c_str(),
                     "verb", e.verb.c_str(), "actorId", e.actor_id.c_str(), "targetType", e.target_type.c_str(),
                     "targetId", e.target_id.c_str(), "timestamp", e.created_at.c_str(), "meta", e.meta.get());
}

Result<ActivityPage> list_activity(Tx &tx, const std::string &user_id, const std::string &board_id,
                                   const std::optional<std::string> &before, int limit) {
    auto cursor = parse_seq_cursor(before, "before");  // 0 = from the newest
    if (!cursor) return cursor.error();
    auto a = authorize_board(tx, user_id, board_id, Need::read);
    if (!a) return a.error();
    // Two statements rather than one with `cursor = 0 OR seq < cursor`: each keeps an
    // index-bound plan once prepared (see src/queries/activity.sql).
    auto rows = *cursor == 0 ? tx.exec_prepared("activity_page_first", board_id, limit + 1)
                             : tx.exec_prepared("activity_page_before", board_id, *cursor, limit + 1);
    ActivityPage page;
    for (const auto &row : rows) {
        if (static_cast<int>(page.items.size()) == limit) break;
        Event e;
        e.workspace_id = a->workspace_id;
        e.board_id = board_id;
        e.actor_id = row["actor_id"].is_null() ? "" : row["actor_id"].as<std::string>();
        e.verb = row["verb"].as<std::string>();
        e.target_type = row["target_type"].as<std::string>();
        e.target_id = row["target_id"].as<std::string>();
        e.id = row["id"].as<std::string>();
        e.created_at = row["created_at"].as<std::string>();
        json_error_t err;
        JsonPtr meta(json_loads(row["metadata"].c_str(), 0, &err));
        if (meta) e.meta = std::move(meta);
        page.items.push_back(std::move(e));
        // More rows than the page holds: the next page starts below this one.
        if (static_cast<int>(rows.size()) > limit) page.next_cursor = row["seq"].as<std::string>();
    }
    return page;
}

}  // namespace msk
