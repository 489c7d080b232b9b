// Custom field value formats (see field_value.hpp).
#include "field_value.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "json.hpp"
#include "resolve.hpp"

namespace mskanban::cli {

namespace {

std::string trim(const std::string &s) {
    size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
    return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, at most 64 characters.
bool valid_number(const std::string &s) {
    if (s.empty() || s.size() > 64) return false;
    size_t i = 0;
    auto digits = [&]() {
        size_t from = i;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) i++;
        return i - from;
    };
    if (s[i] == '-') i++;
    if (i < s.size() && s[i] == '0') i++;
    else if (digits() == 0) return false;
    if (i < s.size() && s[i] == '.') { i++; if (digits() == 0) return false; }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) i++;
        if (digits() == 0) return false;
    }
    return i == s.size();
}

bool valid_date(const std::string &s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
    for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
        if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    int y = std::stoi(s.substr(0, 4)), m = std::stoi(s.substr(5, 2)), d = std::stoi(s.substr(8, 2));
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1) return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= days[m - 1] + (m == 2 && leap ? 1 : 0);
}

bool valid_url(const std::string &s) {
    if (s.size() > 2048) return false;
    size_t host;
    if (lower_ascii(s.substr(0, 7)) == "http://") host = 7;
    else if (lower_ascii(s.substr(0, 8)) == "https://") host = 8;
    else return false;
    if (host >= s.size() || s[host] == '/' || s[host] == '?' || s[host] == '#') return false;
    for (unsigned char c : s)
        if (c <= 0x20 || c == 0x7f) return false;  // spaces and controls (non-ASCII is allowed)
    return true;
}

const std::string *find_option(const std::vector<std::string> &options, const std::string &typed) {
    for (const auto &o : options)
        if (o == typed) return &o;
    const std::string *found = nullptr;
    for (const auto &o : options)
        if (lower_ascii(o) == lower_ascii(typed)) {
            if (found) return nullptr;  // ambiguous without the exact case
            found = &o;
        }
    return found;
}

std::string joined(const std::vector<std::string> &options) {
    std::string out;
    for (const auto &o : options) out += (out.empty() ? "" : ", ") + o;
    return out;
}

}  // namespace

bool known_field_type(const std::string &type) {
    for (const char *t : {"text", "number", "date", "url", "checkbox", "dropdown"})
        if (type == t) return true;
    return false;
}

Outcome<std::string> field_input(const std::string &type, const std::string &typed,
                                 const std::vector<std::string> &options) {
    if (type == "text") return typed;
    if (type == "number") {
        if (valid_number(typed)) return typed;
        return fail(kUsage, "a number field wants a decimal like 42, -3.5 or 1e6, not \"" + typed + "\"");
    }
    if (type == "date") {
        if (valid_date(typed)) return typed;
        return fail(kUsage, "a date field wants a day like 2026-06-01, not \"" + typed + "\"");
    }
    if (type == "url") {
        if (valid_url(typed)) return typed;
        return fail(kUsage, "a url field wants an http:// or https:// address without spaces, not \"" + typed + "\"");
    }
    if (type == "checkbox") {
        std::string t = lower_ascii(typed);
        if (t == "true" || t == "yes" || t == "on" || t == "1" || t == "x") return std::string("true");
        if (t == "false" || t == "no" || t == "off" || t == "0") return std::string("false");
        return fail(kUsage, "a checkbox field wants true or false (yes/no, on/off, 1/0), not \"" + typed + "\"");
    }
    if (type == "dropdown") {
        if (const std::string *o = find_option(options, typed)) return *o;
        return fail(kUsage, "\"" + typed + "\" is not an option of this field; options: " +
                                (options.empty() ? "none" : joined(options)));
    }
    return fail(kUsage, "this CLI cannot write a field of type \"" + type + "\"");
}

std::string field_display(const std::string &type, const std::string &value,
                          const std::vector<std::string> &options) {
    bool fits = true;
    if (type == "checkbox") {
        if (value == "true") return "[x]";
        if (value == "false") return "[ ]";
        fits = false;
    }
    else if (type == "number") fits = valid_number(value);
    else if (type == "date") fits = valid_date(value);
    else if (type == "url") fits = valid_url(value);
    else if (type == "dropdown") fits = std::find(options.begin(), options.end(), value) != options.end();
    else if (type != "text") fits = false;
    return fits ? value : value + " (not a valid " + type + ")";
}

Outcome<std::vector<std::string>> parse_options(const std::string &plaintext) {
    Json list = parse(plaintext);
    std::vector<std::string> out;
    bool ok = json_is_array(list.get());
    for (size_t i = 0; ok && i < list.size(); i++) {
        json_t *o = json_array_get(list.get(), i);
        if (!json_is_string(o) || json_string_length(o) == 0) { ok = false; break; }
        std::string s(json_string_value(o), json_string_length(o));
        if (std::find(out.begin(), out.end(), s) != out.end()) { ok = false; break; }
        out.push_back(s);
    }
    if (!ok) return fail(kDecrypt, "the option list is not a JSON array of distinct, non-empty strings");
    return out;
}

std::string options_plaintext(const std::vector<std::string> &options) {
    Json list = array();
    for (const auto &o : options) json_array_append_new(list.get(), json_stringn(o.data(), o.size()));
    char *s = json_dumps(list.get(), JSON_COMPACT);
    std::string out = s ? s : "[]";
    std::free(s);
    return out;
}

Outcome<std::vector<std::string>> split_options(const std::string &typed) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= typed.size()) {
        size_t comma = typed.find(',', start);
        if (comma == std::string::npos) comma = typed.size();
        std::string o = trim(typed.substr(start, comma - start));
        if (o.empty()) return fail(kUsage, "--options wants a comma-separated list of non-empty options");
        for (const auto &seen : out)
            if (lower_ascii(seen) == lower_ascii(o)) return fail(kUsage, "the option \"" + o + "\" is given twice");
        out.push_back(o);
        start = comma + 1;
    }
    return out;
}

}  // namespace mskanban::cli
