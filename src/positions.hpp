// Fractional position keys for columns and cards: strings that sort byte-wise (COLLATE
// "C") so an item can always be placed between two neighbours by writing one row.
// The scheme is the common "fractional indexing" one over base-62 digits: a variable-
// length integer part (its head letter gives its length; a..z positive, A..Z negative)
// followed by a fraction without trailing zeros. Appending or prepending steps the
// integer (keys stay short); inserting between two keys extends the fraction, which
// grows about one character per six inserts at the same spot, so callers rebalance a
// list whose new key would exceed kMaxPositionKey characters. Pure functions only.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "error.hpp"

namespace msk {

// Longest key a caller should store; above it, rebalance the siblings first.
constexpr size_t kMaxPositionKey = 48;

// True for a well-formed key.
bool is_position_key(const std::string &key);

// A key strictly between `before` and `after` (nullopt = that end is open). Returns
// nullopt when an input is malformed or `before` >= `after`.
std::optional<std::string> key_between(const std::optional<std::string> &before,
                                       const std::optional<std::string> &after);

// `n` short, increasing keys ("a0", "a1", ...) for rebalancing a whole list.
std::vector<std::string> spaced_keys(size_t n);

// One item of a list being reordered. Hidden items (archived cards) keep their place but
// do not count when checking that two neighbours are adjacent.
struct Sibling {
    std::string id, position;
    bool hidden = false;
};

struct Placement {
    std::string key;
    // Set when the list was rebalanced: new keys for the siblings, (id, key).
    std::vector<std::pair<std::string, std::string>> rewrites;
};

// (id, key) pairs as two comma-separated lists, ids and keys in the same order, for one
// `UPDATE ... FROM unnest(string_to_array(ids, ','), string_to_array(keys, ','))`
// (ids and keys never contain a comma).
std::pair<std::string, std::string> joined_pairs(const std::vector<std::pair<std::string, std::string>> &pairs);

// Where an item goes among `siblings` (sorted by position, the item itself left out):
// right after `after_id`, right before `before_id`, between both, or at the end when
// neither is given. 400 when a neighbour is not in the list (named by `after_field` or
// `before_field`); 409 when both are given and are not adjacent in that order among the
// visible siblings. When the new key would be longer than kMaxPositionKey, the whole
// list gets fresh spaced keys.
Result<Placement> place_item(const std::vector<Sibling> &siblings, const std::optional<std::string> &after_id,
                             const std::optional<std::string> &before_id, const char *after_field,
                             const char *before_field);

}  // namespace msk
