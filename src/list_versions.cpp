// Conditional reads of lists (see list_versions.hpp). Queries in src/queries/boards.sql.
#include "list_versions.hpp"

#include "ids.hpp"

namespace msk {

std::string list_etag(const std::string &kind, const std::string &variant, const std::string &owner_id,
                      int64_t version) {
    std::string e = "\"" + kind + ".";
    if (!variant.empty()) e += variant + ".";
    return e + owner_id + "." + std::to_string(version) + "\"";
}

bool etag_matches(const std::string &if_none_match, const std::string &etag) {
    size_t i = 0, n = if_none_match.size();
    auto skip_space = [&] {
        while (i < n && (if_none_match[i] == ' ' || if_none_match[i] == '\t')) i++;
    };
    skip_space();
    if (i < n && if_none_match[i] == '*') {
        i++;
        skip_space();
        return i == n;
    }
    while (i < n) {
        skip_space();
        if (if_none_match.compare(i, 2, "W/") == 0) i += 2;
        if (i >= n || if_none_match[i] != '"') return false;
        size_t close = if_none_match.find('"', i + 1);
        if (close == std::string::npos) return false;
        if (if_none_match.compare(i, close + 1 - i, etag) == 0) return true;
        i = close + 1;
        skip_space();
        if (i < n && if_none_match[i] != ',') return false;
        i++;
    }
    return false;
}

namespace {

Result<int64_t> version_of(pqxx::transaction_base &tx, const char *query, const std::string &user_id,
                           const std::string &id, const char *what) {
    if (!is_valid_id(id)) return not_found(std::string("no such ") + what);
    auto r = tx.exec_prepared(query, id, user_id);
    if (r.empty()) return not_found(std::string("no such ") + what);
    return r[0][0].as<int64_t>();
}

}  // namespace

Result<int64_t> board_lists_version(pqxx::transaction_base &tx, const std::string &user_id,
                                    const std::string &board_id) {
    return version_of(tx, "board_version", user_id, board_id, "board");
}

Result<int64_t> workspace_boards_version(pqxx::transaction_base &tx, const std::string &user_id,
                                         const std::string &workspace_id) {
    return version_of(tx, "workspace_version", user_id, workspace_id, "workspace");
}

}  // namespace msk
