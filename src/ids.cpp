// CUID-style id generation and validation.
#include "ids.hpp"

#include <sodium.h>

#include <atomic>
#include <chrono>

namespace msk {

static void append_base36(std::string &out, unsigned long long v, size_t width) {
    static const char d[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    std::string s(width, '0');
    for (size_t i = width; i-- > 0;) {
        s[i] = d[v % 36];
        v /= 36;
    }
    out += s;
}

std::string new_id() {
    static std::atomic<unsigned> counter{randombytes_random()};
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
    std::string id = "c";
    append_base36(id, static_cast<unsigned long long>(ms), 8);
    append_base36(id, counter++ % (36ull * 36 * 36 * 36), 4);
    unsigned long long r = (static_cast<unsigned long long>(randombytes_random()) << 32) |
                           randombytes_random();
    append_base36(id, r % 4738381338321616896ull /* 36^12 */, 12);
    return id;
}

bool is_valid_id(std::string_view id) {
    if (id.size() < 2 || id.size() > 64 || id[0] != 'c') return false;
    for (char c : id.substr(1))
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'))) return false;
    return true;
}

std::vector<std::string> split_ids(const std::string &joined) {
    std::vector<std::string> out;
    for (size_t start = 0; start < joined.size();) {
        size_t comma = joined.find(',', start);
        if (comma == std::string::npos) comma = joined.size();
        out.push_back(joined.substr(start, comma - start));
        start = comma + 1;
    }
    return out;
}

}  // namespace msk
