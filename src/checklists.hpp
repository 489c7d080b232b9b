// Checklists on a card and their items. A checklist's title and an item's text are
// ciphertext (AAD `checklist:<id>`, `checklist-item:<id>`); an item's `done` flag and
// every position (fractional keys, as cards: positions.hpp) are plaintext, so the card
// answers carry `checklist: {done, total}` computed by PostgreSQL. Every change takes
// the board's lock (concurrent moves apply one after another and keep distinct keys).
// An item moves only between the checklists of its own card.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db.hpp"
#include "error.hpp"

namespace msk {

class Redis;

struct ChecklistItem {
    std::string id, checklist_id, card_id, enc_text;
    bool done = false;
    std::string position;
    std::optional<std::string> created_by;
    std::string created_at, updated_at;
};

struct Checklist {
    std::string id, card_id, enc_title, position;
    std::optional<std::string> created_by;
    std::string created_at, updated_at;
    std::vector<ChecklistItem> items;  // in order
};

struct ChecklistChange {
    std::string id;                        // create: the client-chosen id
    std::optional<std::string> enc_title;  // required to create
    bool move = false;                     // place by the neighbours (create always places)
    std::optional<std::string> after_id, before_id;
};

struct ItemChange {
    std::string id;                       // create: the client-chosen id
    std::optional<std::string> enc_text;  // required to create
    std::optional<bool> done;
    std::optional<std::string> to_checklist_id;  // move to another checklist of the card
    bool move = false;
    std::optional<std::string> after_id, before_id;
};

Result<std::vector<Checklist>> list_checklists(Tx &tx, const std::string &user_id, const std::string &card_id);
Result<Checklist> create_checklist(Tx &tx, Redis &redis, const std::string &user_id, const std::string &card_id,
                                   const ChecklistChange &in);
Result<Checklist> update_checklist(Tx &tx, Redis &redis, const std::string &user_id,
                                   const std::string &checklist_id, const ChecklistChange &in);
// Deletes the checklist with its items.
Status delete_checklist(Tx &tx, Redis &redis, const std::string &user_id, const std::string &checklist_id);

Result<ChecklistItem> create_item(Tx &tx, Redis &redis, const std::string &user_id,
                                  const std::string &checklist_id, const ItemChange &in);
Result<ChecklistItem> update_item(Tx &tx, Redis &redis, const std::string &user_id, const std::string &item_id,
                                  const ItemChange &in);
Status delete_item(Tx &tx, Redis &redis, const std::string &user_id, const std::string &item_id);

}  // namespace msk
