// Page cursors of the lists that page by a row's sequence number (the activity feed,
// a card's comments, a user's notifications): the cursor a page hands out is the last
// row's seq as a string, opaque to clients.
#pragma once

#include <optional>
#include <string>

#include "error.hpp"

namespace msk {

// The seq that `cursor` (query parameter `field`) names; 0 when there is none (the
// first page); 400 when it is not a cursor of ours.
Result<long long> parse_seq_cursor(const std::optional<std::string> &cursor, const char *field);

}  // namespace msk
