// Comment mentions (see mentions.hpp).
#include "mentions.hpp"

#include <algorithm>
#include <cctype>

#include "board_meta.hpp"
#include "resolve.hpp"

namespace mskanban::cli {

std::vector<std::string> mentioned_emails(const std::string &text) {
    std::vector<std::string> out;
    for (size_t i = 0; i < text.size(); i++) {
        if (text[i] != '@') continue;
        if (i > 0 && !std::isspace(static_cast<unsigned char>(text[i - 1])) && std::string("([{<").find(text[i - 1]) == std::string::npos)
            continue;
        size_t end = i + 1;
        while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end]))) end++;
        std::string word = text.substr(i + 1, end - i - 1);
        while (!word.empty() && std::string(".,;:!?)]}>'\"").find(word.back()) != std::string::npos) word.pop_back();
        size_t at = word.find('@');
        i = end;
        if (at == std::string::npos || at == 0 || at + 1 >= word.size()) continue;
        word = lower_ascii(word);
        if (std::find(out.begin(), out.end(), word) == out.end()) out.push_back(word);
    }
    return out;
}

Outcome<std::vector<std::string>> resolve_mentions(const std::vector<std::string> &emails,
                                                   const std::vector<MemberView> &members) {
    std::vector<std::string> ids;
    for (const auto &e : emails) {
        auto m = find_member(members, e);
        if (!m) return fail(kUsage, "@" + e + " is not a member of this workspace: nobody to mention (comment not sent)");
        if (std::find(ids.begin(), ids.end(), m.value().user_id) == ids.end()) ids.push_back(m.value().user_id);
    }
    return ids;
}

}  // namespace mskanban::cli
