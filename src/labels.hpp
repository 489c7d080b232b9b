// Labels: a board's coloured tags. The name is client ciphertext; the colour is
// plaintext, one of a fixed palette or #rrggbb (stored in lower case). Every change
// takes the board's lock, records an activity row and queues the board tick in the
// request's transaction; the board's version (and so its lists' ETags) changes with it.
// Attaching labels to cards is in card_links.hpp.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db.hpp"
#include "error.hpp"

namespace msk {

class Redis;

struct Label {
    std::string id, board_id, enc_name, colour;
    std::optional<std::string> created_by;
    std::string created_at, updated_at;
};

struct LabelChange {
    std::string id;                       // create: the client-chosen id
    std::optional<std::string> enc_name;  // required to create
    std::optional<std::string> colour;    // required to create; canonical (see label_colour)
};

// The palette names, for messages and the OpenAPI document.
extern const char *const kLabelPalette;
// `colour` in canonical form (a palette name, or #rrggbb in lower case), or nothing
// when it is neither.
std::optional<std::string> label_colour(const std::string &colour);

Result<std::vector<Label>> list_labels(Tx &tx, const std::string &user_id, const std::string &board_id);
Result<Label> create_label(Tx &tx, Redis &redis, const std::string &user_id, const std::string &board_id,
                           const LabelChange &in);
Result<Label> update_label(Tx &tx, Redis &redis, const std::string &user_id, const std::string &label_id,
                           const LabelChange &in);
// Deletes the label and detaches it from its cards.
Status delete_label(Tx &tx, Redis &redis, const std::string &user_id, const std::string &label_id);

}  // namespace msk
