// Custom fields: definitions on a board and their values on the board's cards. A
// definition's `type` is plaintext (text, number, date, url, checkbox, dropdown) and
// never changes; its name and a dropdown's option list are ciphertext (AAD
// `custom-field:<id>`); its position is a fractional key among the board's fields (as
// cards: positions.hpp). A card's value for a field is one envelope (AAD
// `card:<cardId>/field:<fieldId>`), answered with the card (Card::custom_fields) and set
// by PATCH /cards/:id through update_card(). Deleting a field deletes its values. Every
// change takes the board's lock and records an activity row and a board tick in the
// request's transaction.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "authz.hpp"
#include "db.hpp"
#include "error.hpp"

namespace msk {

class Redis;

struct CustomField {
    std::string id, board_id, type, enc_name;
    std::optional<std::string> enc_options;  // dropdowns only
    std::string position;
    std::optional<std::string> created_by;
    std::string created_at, updated_at;
};

struct CustomFieldChange {
    std::string id;                          // create: the client-chosen id
    std::string type;                        // create only (is_custom_field_type)
    std::optional<std::string> enc_name;     // required to create
    std::optional<std::string> enc_options;  // required for a dropdown, refused otherwise
    bool move = false;                       // place by the neighbours (create always places)
    std::optional<std::string> after_id, before_id;
};

// One value of a PATCH /cards/:id {customFields}: an envelope sets it, nothing removes it.
using FieldValueChange = std::pair<std::string, std::optional<std::string>>;

// The accepted types, for messages and the check.
extern const char *const kCustomFieldTypes;
bool is_custom_field_type(const std::string &type);

Result<std::vector<CustomField>> list_custom_fields(Tx &tx, const std::string &user_id, const std::string &board_id);
// 409 when the id is taken or the board holds `max_per_board` fields already.
Result<CustomField> create_custom_field(Tx &tx, Redis &redis, const std::string &user_id,
                                        const std::string &board_id, const CustomFieldChange &in,
                                        long max_per_board);
Result<CustomField> update_custom_field(Tx &tx, Redis &redis, const std::string &user_id, const std::string &field_id,
                                        const CustomFieldChange &in);
Status delete_custom_field(Tx &tx, Redis &redis, const std::string &user_id, const std::string &field_id);

// Sets and removes values of card `card_id` on board `board_id`, for a caller that holds
// write access and the board's lock (update_card). 400 before anything is written when
// a field is not one of the board's.
Status set_card_field_values(Tx &tx, const std::string &board_id, const std::string &card_id,
                             const std::string &user_id, const std::vector<FieldValueChange> &values);

}  // namespace msk
