// Fractional position keys (see positions.hpp). A port of the well-known
// generateKeyBetween algorithm with errors as nullopt instead of exceptions.
#include "positions.hpp"

namespace msk {

namespace {

const std::string kDigits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const std::string kSmallestInteger = "A" + std::string(26, '0');

int digit_value(char c) {
    auto p = kDigits.find(c);
    return p == std::string::npos ? -1 : static_cast<int>(p);
}

// Length of the integer part announced by its head character; 0 when not a head.
size_t integer_length(char head) {
    if (head >= 'a' && head <= 'z') return static_cast<size_t>(head - 'a') + 2;
    if (head >= 'A' && head <= 'Z') return static_cast<size_t>('Z' - head) + 2;
    return 0;
}

std::optional<std::string> integer_part(const std::string &key) {
    if (key.empty()) return std::nullopt;
    size_t n = integer_length(key[0]);
    if (n == 0 || n > key.size()) return std::nullopt;
    return key.substr(0, n);
}

// A key strictly between fractions a and b (b nullopt = 1), with no trailing zero.
std::string midpoint(const std::string &a, const std::optional<std::string> &b) {
    if (b) {
        size_t n = 0;
        while (n < b->size() && (n < a.size() ? a[n] : '0') == (*b)[n]) n++;
        if (n > 0) return b->substr(0, n) + midpoint(a.size() > n ? a.substr(n) : "", b->substr(n));
    }
    int da = a.empty() ? 0 : digit_value(a[0]);
    int db = b ? digit_value((*b)[0]) : static_cast<int>(kDigits.size());
    if (db - da > 1) return std::string(1, kDigits[static_cast<size_t>((da + db + 1) / 2)]);
    if (b && b->size() > 1) return b->substr(0, 1);
    return std::string(1, kDigits[static_cast<size_t>(da)]) + midpoint(a.empty() ? "" : a.substr(1), std::nullopt);
}

// The next or previous integer of the same encoding; nullopt past the ends.
std::optional<std::string> step_integer(const std::string &x, bool up) {
    char head = x[0];
    std::string digs = x.substr(1);
    bool carry = true;
    for (size_t i = digs.size(); carry && i-- > 0;) {
        int d = digit_value(digs[i]) + (up ? 1 : -1);
        if (d == static_cast<int>(kDigits.size())) digs[i] = kDigits.front();
        else if (d < 0) digs[i] = kDigits.back();
        else {
            digs[i] = kDigits[static_cast<size_t>(d)];
            carry = false;
        }
    }
    if (!carry) return head + digs;
    if (up) {
        if (head == 'Z') return std::string("a") + kDigits.front();
        if (head == 'z') return std::nullopt;
        char h = static_cast<char>(head + 1);
        if (h > 'a') digs.push_back(kDigits.front());
        else digs.pop_back();
        return h + digs;
    }
    if (head == 'a') return std::string("Z") + kDigits.back();
    if (head == 'A') return std::nullopt;
    char h = static_cast<char>(head - 1);
    if (h < 'Z') digs.push_back(kDigits.back());
    else digs.pop_back();
    return h + digs;
}

}  // namespace

bool is_position_key(const std::string &key) {
    if (key.size() > 256 || key == kSmallestInteger) return false;
    for (char c : key)
        if (digit_value(c) < 0) return false;
    auto i = integer_part(key);
    if (!i) return false;
    return key.size() == i->size() || key.back() != kDigits.front();
}

std::optional<std::string> key_between(const std::optional<std::string> &a, const std::optional<std::string> &b) {
    if ((a && !is_position_key(*a)) || (b && !is_position_key(*b))) return std::nullopt;
    if (a && b && *a >= *b) return std::nullopt;
    if (!a) {
        if (!b) return std::string("a") + kDigits.front();
        std::string ib = *integer_part(*b), fb = b->substr(ib.size());
        if (ib == kSmallestInteger) return ib + midpoint("", fb);
        if (ib < *b) return ib;
        return step_integer(ib, false);
    }
    std::string ia = *integer_part(*a), fa = a->substr(ia.size());
    if (!b) {
        auto i = step_integer(ia, true);
        return i ? *i : ia + midpoint(fa, std::nullopt);
    }
    std::string ib = *integer_part(*b), fb = b->substr(ib.size());
    if (ia == ib) return ia + midpoint(fa, fb);
    auto i = step_integer(ia, true);
    if (!i) return std::nullopt;
    if (*i < *b) return i;
    return ia + midpoint(fa, std::nullopt);
}

std::pair<std::string, std::string> joined_pairs(const std::vector<std::pair<std::string, std::string>> &pairs) {
    std::pair<std::string, std::string> out;
    for (const auto &p : pairs) {
        if (!out.first.empty()) {
            out.first += ',';
            out.second += ',';
        }
        out.first += p.first;
        out.second += p.second;
    }
    return out;
}

std::vector<std::string> spaced_keys(size_t n) {
    std::vector<std::string> keys;
    std::optional<std::string> prev;
    for (size_t i = 0; i < n; i++) {
        prev = key_between(prev, std::nullopt);
        keys.push_back(*prev);
    }
    return keys;
}

Result<Placement> place_item(const std::vector<Sibling> &siblings, const std::optional<std::string> &after_id,
                             const std::optional<std::string> &before_id, const char *after_field,
                             const char *before_field) {
    auto index_of = [&](const std::string &id) {
        for (size_t i = 0; i < siblings.size(); i++)
            if (siblings[i].id == id) return static_cast<long>(i);
        return -1L;
    };
    auto missing = [](const char *field) {
        return bad_request(std::string("\"") + field + "\" does not name another item of the target list");
    };
    long lo = -1, hi = static_cast<long>(siblings.size());  // the new item goes between lo and hi
    if (after_id) {
        lo = index_of(*after_id);
        if (lo < 0) return missing(after_field);
    }
    if (before_id) {
        hi = index_of(*before_id);
        if (hi < 0) return missing(before_field);
    }
    if (after_id && before_id) {
        bool adjacent = lo < hi;
        for (long i = lo + 1; adjacent && i < hi; i++) adjacent = siblings[static_cast<size_t>(i)].hidden;
        if (!adjacent)
            return conflict(std::string("\"") + after_field + "\" and \"" + before_field +
                            "\" are not adjacent (the list changed; reload it)");
    }
    // Right after `after` (before any hidden items that follow it), else right before `before`.
    if (after_id) hi = lo + 1;
    else lo = hi - 1;
    std::optional<std::string> a, b;
    if (lo >= 0) a = siblings[static_cast<size_t>(lo)].position;
    if (hi < static_cast<long>(siblings.size())) b = siblings[static_cast<size_t>(hi)].position;
    auto key = key_between(a, b);
    if (key && key->size() <= kMaxPositionKey) return Placement{*key, {}};
    // Rebalance: fresh keys for the list with the new item's slot included.
    auto keys = spaced_keys(siblings.size() + 1);
    Placement p;
    size_t slot = static_cast<size_t>(lo + 1);
    p.key = keys[slot];
    for (size_t i = 0; i < siblings.size(); i++) {
        const std::string &k = keys[i < slot ? i : i + 1];
        if (k != siblings[i].position) p.rewrites.push_back({siblings[i].id, k});
    }
    return p;
}

}  // namespace msk
