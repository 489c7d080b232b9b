// Checklists and items (see checklists.hpp). Queries in src/queries/checklists.sql.
#include "checklists.hpp"

#include "card_parts.hpp"
#include "ids.hpp"

namespace msk {

namespace {

const PlaceIn kChecklistPlace{"checklist_positions", "checklist_set_positions", "afterChecklistId",
                              "beforeChecklistId"};
const PlaceIn kItemPlace{"checklist_item_positions", "checklist_item_set_positions", "afterItemId",
                         "beforeItemId"};

ChecklistItem item_from(const pqxx::row &r) {
    ChecklistItem i;
    i.id = r["id"].as<std::string>();
    i.checklist_id = r["checklist_id"].as<std::string>();
    i.card_id = r["card_id"].as<std::string>();
    i.enc_text = r["enc_text"].as<std::string>();
    i.done = r["done"].as<bool>();
    i.position = r["position"].as<std::string>();
    i.created_by = opt_str(r, "created_by");
    i.created_at = r["created_at"].as<std::string>();
    i.updated_at = r["updated_at"].as<std::string>();
    return i;
}

Checklist checklist_from(const pqxx::row &r) {
    Checklist l;
    l.id = r["id"].as<std::string>();
    l.card_id = r["card_id"].as<std::string>();
    l.enc_title = r["enc_title"].as<std::string>();
    l.position = r["position"].as<std::string>();
    l.created_by = opt_str(r, "created_by");
    l.created_at = r["created_at"].as<std::string>();
    l.updated_at = r["updated_at"].as<std::string>();
    return l;
}

Checklist load_checklist(Tx &tx, const std::string &id) {
    Checklist l = checklist_from(tx.exec_prepared("checklist_by_id", id)[0]);
    for (const auto &row : tx.exec_prepared("checklist_items_of_list", id)) l.items.push_back(item_from(row));
    return l;
}

ChecklistItem load_item(Tx &tx, const std::string &id) {
    return item_from(tx.exec_prepared("checklist_item_by_id", id)[0]);
}

json_t *checklist_meta(const std::string &checklist_id) {
    return json_pack("{s:s}", "checklistId", checklist_id.c_str());
}

}  // namespace

Result<std::vector<Checklist>> list_checklists(Tx &tx, const std::string &user_id, const std::string &card_id) {
    auto a = authorize_card_parts(tx, user_id, card_id, Need::read);
    if (!a) return a.error();
    std::vector<Checklist> out;
    for (const auto &row : tx.exec_prepared("checklists_of_card", card_id)) out.push_back(checklist_from(row));
    // One query for the card's items (ordered by checklist, then position), dealt out.
    for (const auto &row : tx.exec_prepared("checklist_items_of_card", card_id)) {
        ChecklistItem i = item_from(row);
        for (auto &l : out)
            if (l.id == i.checklist_id) l.items.push_back(std::move(i));
    }
    return out;
}

Result<Checklist> create_checklist(Tx &tx, Redis &redis, const std::string &user_id, const std::string &card_id,
                                   const ChecklistChange &in) {
    auto a = authorize_card_parts(tx, user_id, card_id, Need::write);
    if (!a) return a.error();
    auto pos = place_part(tx, kChecklistPlace, card_id, in.id, in.after_id, in.before_id);
    if (!pos) return pos.error();
    if (tx.exec_prepared("checklist_insert", in.id, card_id, *in.enc_title, *pos, user_id).empty())
        return conflict("a checklist with this id already exists");
    card_part_event(tx, redis, *a, user_id, "CHECKLIST_CREATED", "checklist", in.id);
    return load_checklist(tx, in.id);
}

Result<Checklist> update_checklist(Tx &tx, Redis &redis, const std::string &user_id,
                                   const std::string &checklist_id, const ChecklistChange &in) {
    auto a = authorize_card_part(tx, user_id, "checklist_card", checklist_id, Need::write, "checklist");
    if (!a) return a.error();
    std::optional<std::string> pos;
    if (in.move) {
        auto p = place_part(tx, kChecklistPlace, a->card_id, checklist_id, in.after_id, in.before_id);
        if (!p) return p.error();
        pos = *p;
    }
    if (tx.exec_prepared("checklist_update", checklist_id, in.enc_title, pos).empty())
        return not_found("no such checklist");
    card_part_event(tx, redis, *a, user_id, in.enc_title ? "CHECKLIST_UPDATED" : "CHECKLIST_MOVED", "checklist",
                    checklist_id);
    return load_checklist(tx, checklist_id);
}

Status delete_checklist(Tx &tx, Redis &redis, const std::string &user_id, const std::string &checklist_id) {
    auto a = authorize_card_part(tx, user_id, "checklist_card", checklist_id, Need::write, "checklist");
    if (!a) return a.error();
    if (tx.exec_prepared("checklist_delete", checklist_id).empty()) return not_found("no such checklist");
    card_part_event(tx, redis, *a, user_id, "CHECKLIST_DELETED", "checklist", checklist_id);
    return ok_status();
}

Result<ChecklistItem> create_item(Tx &tx, Redis &redis, const std::string &user_id,
                                  const std::string &checklist_id, const ItemChange &in) {
    auto a = authorize_card_part(tx, user_id, "checklist_card", checklist_id, Need::write, "checklist");
    if (!a) return a.error();
    auto pos = place_part(tx, kItemPlace, checklist_id, in.id, in.after_id, in.before_id);
    if (!pos) return pos.error();
    if (tx.exec_prepared("checklist_item_insert", in.id, checklist_id, *in.enc_text, in.done.value_or(false), *pos,
                         user_id)
            .empty())
        return conflict("a checklist item with this id already exists");
    card_part_event(tx, redis, *a, user_id, "CHECKLIST_ITEM_CREATED", "checklist-item", in.id,
                    checklist_meta(checklist_id));
    return load_item(tx, in.id);
}

Result<ChecklistItem> update_item(Tx &tx, Redis &redis, const std::string &user_id, const std::string &item_id,
                                  const ItemChange &in) {
    auto a = authorize_card_part(tx, user_id, "checklist_item_card", item_id, Need::write, "checklist item");
    if (!a) return a.error();
    // Read the item again under the board's lock: a concurrent move may have changed it.
    auto cur = tx.exec_prepared("checklist_item_for_update", item_id);
    if (cur.empty()) return not_found("no such checklist item");
    std::string list = cur[0]["checklist_id"].as<std::string>();
    if (in.to_checklist_id) {
        if (!is_valid_id(*in.to_checklist_id) ||
            tx.exec_prepared("checklist_of_card", *in.to_checklist_id, a->card_id).empty())
            return bad_request("\"toChecklistId\" does not name a checklist of this item's card");
        list = *in.to_checklist_id;
    }
    if ((in.after_id && *in.after_id == item_id) || (in.before_id && *in.before_id == item_id))
        return bad_request("an item cannot be placed next to itself");
    std::optional<std::string> pos;
    if (in.move || in.to_checklist_id) {
        auto p = place_part(tx, kItemPlace, list, item_id, in.after_id, in.before_id);
        if (!p) return p.error();
        pos = *p;
    }
    if (tx.exec_prepared("checklist_item_update", item_id, in.enc_text, in.done, in.to_checklist_id, pos).empty())
        return not_found("no such checklist item");
    const char *verb = "CHECKLIST_ITEM_UPDATED";
    if (!in.enc_text && in.done && !pos) verb = *in.done ? "CHECKLIST_ITEM_CHECKED" : "CHECKLIST_ITEM_UNCHECKED";
    else if (!in.enc_text && !in.done && pos) verb = "CHECKLIST_ITEM_MOVED";
    json_t *meta = checklist_meta(list);
    if (in.done) json_object_set_new(meta, "done", json_boolean(*in.done));
    card_part_event(tx, redis, *a, user_id, verb, "checklist-item", item_id, meta);
    return load_item(tx, item_id);
}

Status delete_item(Tx &tx, Redis &redis, const std::string &user_id, const std::string &item_id) {
    auto a = authorize_card_part(tx, user_id, "checklist_item_card", item_id, Need::write, "checklist item");
    if (!a) return a.error();
    if (tx.exec_prepared("checklist_item_delete", item_id).empty()) return not_found("no such checklist item");
    card_part_event(tx, redis, *a, user_id, "CHECKLIST_ITEM_DELETED", "checklist-item", item_id);
    return ok_status();
}

}  // namespace msk
