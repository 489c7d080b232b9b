// Object ids: CUID-style, `c` + lowercase base36, opaque and URL-safe. Ours are 25
// characters: a millisecond timestamp (for index locality), a per-process counter and
// random bits from libsodium, so they are unique across threads, processes and hosts.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace msk {

std::string new_id();
// Accepts any id of the public shape: `c` + [0-9a-z], 2..64 characters in all.
bool is_valid_id(std::string_view id);
// "a,b,c" (ids hold no comma, so SQL can join them with string_agg) as a list; "" as none.
std::vector<std::string> split_ids(const std::string &joined);

}  // namespace msk
