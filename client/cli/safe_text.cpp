// Terminal-safe text (see safe_text.hpp).
#include "safe_text.hpp"

#include <cstdio>

namespace mskanban::cli {

bool is_bidi_or_separator(char32_t cp) {
    return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029;
}

bool next_code_point(const std::string &s, std::size_t &i, char32_t &cp) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t len;
    char32_t min;
    if (c < 0x80) { cp = c; i++; return true; }
    if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1F; min = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0F; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07; min = 0x10000; }
    else { cp = c; i++; return false; }
    if (s.size() - i < len) { cp = c; i++; return false; }
    char32_t v = cp;
    for (std::size_t k = 1; k < len; k++) {
        unsigned char cc = static_cast<unsigned char>(s[i + k]);
        if ((cc & 0xC0) != 0x80) { cp = c; i++; return false; }
        v = (v << 6) | (cc & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) { cp = c; i++; return false; }
    cp = v;
    i += len;
    return true;
}

namespace {

std::string escaped(const std::string &s, bool multi_line) {
    std::string out;
    out.reserve(s.size());
    char buf[16];
    for (std::size_t i = 0; i < s.size();) {
        std::size_t start = i;
        char32_t cp;
        if (!next_code_point(s, i, cp)) {
            std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(cp));
            out += buf;
        } else if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
            if (multi_line && (cp == '\n' || cp == '\t')) out += static_cast<char>(cp);
            else {
                std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(cp));
                out += buf;
            }
        } else if (is_bidi_or_separator(cp)) {
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(cp));
            out += buf;
        } else {
            out.append(s, start, i - start);
        }
    }
    return out;
}

}  // namespace

std::string safe_line(const std::string &s) { return escaped(s, false); }
std::string safe_text(const std::string &s) { return escaped(s, true); }

}  // namespace mskanban::cli
