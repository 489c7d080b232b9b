// Shared plumbing of a card's parts (see card_parts.hpp).
#include "card_parts.hpp"

#include "activity.hpp"
#include "boards.hpp"
#include "ids.hpp"
#include "positions.hpp"
#include "ticks.hpp"

namespace msk {

Result<PartAccess> authorize_card_parts(Tx &tx, const std::string &user_id, const std::string &card_id, Need need) {
    auto g = authorize_card(tx, user_id, card_id, need);
    if (!g) return g.error();
    if (need != Need::read) lock_board_positions(tx, g->board_id);
    PartAccess a;
    a.grant = *g;
    a.card_id = card_id;
    return a;
}

Result<PartAccess> authorize_card_part(Tx &tx, const std::string &user_id, const char *owner_query,
                                       const std::string &id, Need need, const char *what) {
    auto missing = [&] { return not_found(std::string("no such ") + what); };
    if (!is_valid_id(id)) return missing();
    auto r = tx.exec_prepared(owner_query, id);
    if (r.empty()) return missing();
    auto a = authorize_card_parts(tx, user_id, r[0]["card_id"].as<std::string>(), need);
    if (!a) {
        if (a.error().status == 404) return missing();
        return a.error();
    }
    a->author_id = opt_str(r[0], "author_id");
    return a;
}

void card_part_event(Tx &tx, Redis &redis, const PartAccess &a, const std::string &user_id, const char *verb,
                     const char *target_type, const std::string &target_id, json_t *meta) {
    Event ev = make_event(a.grant.workspace_id, a.grant.board_id, user_id, verb, target_type, target_id);
    json_object_set_new(ev.meta.get(), "cardId", json_string(a.card_id.c_str()));
    if (meta) {
        json_object_update(ev.meta.get(), meta);
        json_decref(meta);
    }
    record_activity(tx, ev);
    publish_tick_after_commit(tx, redis, std::move(ev));
}

Result<std::string> place_part(pqxx::transaction_base &tx, const PlaceIn &q, const std::string &parent_id,
                               const std::string &self_id, const std::optional<std::string> &after_id,
                               const std::optional<std::string> &before_id) {
    std::vector<Sibling> siblings;
    for (const auto &row : tx.exec_prepared(q.positions_query, parent_id, self_id))
        siblings.push_back({row["id"].as<std::string>(), row["position"].as<std::string>(), false});
    auto p = place_item(siblings, after_id, before_id, q.after_field, q.before_field);
    if (!p) return p.error();
    if (!p->rewrites.empty()) {
        auto lists = joined_pairs(p->rewrites);
        tx.exec_prepared(q.set_query, lists.first, lists.second);
    }
    return p->key;
}

}  // namespace msk
