// Milestones (see milestones.hpp). Queries in src/queries/milestones.sql.
#include "milestones.hpp"

#include "activity.hpp"
#include "authz.hpp"
#include "boards.hpp"
#include "ids.hpp"
#include "ticks.hpp"

namespace msk {

namespace {

Milestone milestone_from(const pqxx::row &r) {
    Milestone m;
    m.id = r["id"].as<std::string>();
    m.board_id = r["board_id"].as<std::string>();
    m.enc_name = r["enc_name"].as<std::string>();
    m.due_at = opt_str(r, "due_at");
    m.archived = r["archived"].as<bool>();
    m.created_by = opt_str(r, "created_by");
    m.created_at = r["created_at"].as<std::string>();
    m.updated_at = r["updated_at"].as<std::string>();
    return m;
}

// Records the event and queues the board's tick. Metadata is plaintext only: the due
// date and archived flag when given, and whether the name changed (never the name).
void milestone_event(Tx &tx, Redis &redis, const Grant &a, const std::string &user_id, const char *verb,
                     const char *target_type, const std::string &target_id, json_t *meta) {
    Event ev = make_event(a.workspace_id, a.board_id, user_id, verb, target_type, target_id);
    json_object_update(ev.meta.get(), meta);
    json_decref(meta);
    record_activity(tx, ev);
    publish_tick_after_commit(tx, redis, std::move(ev));
}

json_t *change_meta(const MilestoneChange &in) {
    json_t *meta = json_object();
    if (in.due_at.present) json_object_set_new(meta, "dueAt", jstr_or_null(in.due_at.value));
    if (in.archived) json_object_set_new(meta, "archived", json_boolean(*in.archived));
    if (in.enc_name) json_object_set_new(meta, "renamed", json_true());
    return meta;
}

}  // namespace

Result<std::vector<Milestone>> list_milestones(Tx &tx, const std::string &user_id, const std::string &board_id,
                                               bool archived) {
    auto a = authorize_board(tx, user_id, board_id, Need::read);
    if (!a) return a.error();
    std::vector<Milestone> out;
    for (const auto &row : tx.exec_prepared("milestones_of_board", board_id, archived))
        out.push_back(milestone_from(row));
    return out;
}

Result<Milestone> create_milestone(Tx &tx, Redis &redis, const std::string &user_id, const std::string &board_id,
                                   const MilestoneChange &in) {
    auto a = authorize_board(tx, user_id, board_id, Need::write);
    if (!a) return a.error();
    lock_board_positions(tx, board_id);
    auto r = tx.exec_prepared("milestone_insert", in.id, board_id, *in.enc_name, in.due_at.value, user_id);
    if (r.empty()) return conflict("a milestone with this id already exists");
    Milestone m = milestone_from(r[0]);
    MilestoneChange shown;
    shown.due_at = {true, m.due_at};
    milestone_event(tx, redis, *a, user_id, "MILESTONE_CREATED", "milestone", m.id, change_meta(shown));
    return m;
}

Result<Milestone> update_milestone(Tx &tx, Redis &redis, const std::string &user_id, const std::string &milestone_id,
                                   const MilestoneChange &in) {
    auto a = authorize_milestone(tx, user_id, milestone_id, Need::write);
    if (!a) return a.error();
    lock_board_positions(tx, a->board_id);
    auto r = tx.exec_prepared("milestone_update", milestone_id, in.enc_name, in.due_at.present, in.due_at.value,
                              in.archived);
    if (r.empty()) return not_found("no such milestone");
    Milestone m = milestone_from(r[0]);
    milestone_event(tx, redis, *a, user_id, "MILESTONE_UPDATED", "milestone", milestone_id, change_meta(in));
    return m;
}

Status delete_milestone(Tx &tx, Redis &redis, const std::string &user_id, const std::string &milestone_id) {
    auto a = authorize_milestone(tx, user_id, milestone_id, Need::write);
    if (!a) return a.error();
    lock_board_positions(tx, a->board_id);
    if (tx.exec_prepared("milestone_delete", milestone_id).empty()) return not_found("no such milestone");
    milestone_event(tx, redis, *a, user_id, "MILESTONE_DELETED", "milestone", milestone_id, json_object());
    return ok_status();
}

Result<Card> set_card_milestone(Tx &tx, Redis &redis, const std::string &user_id, const std::string &card_id,
                                const std::optional<std::string> &milestone_id) {
    auto a = authorize_card(tx, user_id, card_id, Need::write);
    if (!a) return a.error();
    // The board before the card row (lock order); the check after it, so a milestone
    // deleted meanwhile (its deletion takes the same lock) is a 400, not a foreign-key error.
    lock_board_positions(tx, a->board_id);
    if (milestone_id &&
        (!is_valid_id(*milestone_id) || tx.exec_prepared("milestone_of_board", *milestone_id, a->board_id).empty()))
        return bad_request("\"milestoneId\" does not name a milestone of this card's board");
    if (!tx.exec_prepared("card_milestone_set", card_id, milestone_id).empty())
        milestone_event(tx, redis, *a, user_id, milestone_id ? "CARD_MILESTONE_SET" : "CARD_MILESTONE_CLEARED", "card",
                        card_id, json_pack("{s:o}", "milestoneId", jstr_or_null(milestone_id)));
    return load_card(tx, card_id);
}

}  // namespace msk
