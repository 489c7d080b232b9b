// Page cursors (see page_cursor.hpp).
#include "page_cursor.hpp"

namespace msk {

Result<long long> parse_seq_cursor(const std::optional<std::string> &cursor, const char *field) {
    if (!cursor) return 0LL;
    bool digits = !cursor->empty() && cursor->size() <= 18;
    for (char c : *cursor) digits = digits && c >= '0' && c <= '9';
    if (!digits) return bad_request(std::string("\"") + field + "\" is not a cursor from this list");
    return std::stoll(*cursor);
}

}  // namespace msk
