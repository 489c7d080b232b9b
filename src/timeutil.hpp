// Time on the wire: ISO 8601 UTC with milliseconds, `2026-05-25T12:34:56.789Z`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace msk {

int64_t now_ms();
std::string iso8601_ms(int64_t epoch_ms);
// Parses exactly the wire form (the `.mmm` part optional), years 0001-9999; nullopt otherwise.
std::optional<int64_t> parse_iso8601_ms(std::string_view text);

}  // namespace msk
