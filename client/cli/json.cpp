// Json helpers (see json.hpp).
#include "json.hpp"

#include <cstdio>
#include <cstdlib>

#include "safe_text.hpp"

namespace mskanban::cli {

namespace {

// jansson escapes C0 controls, '"' and '\\' but writes DEL, C1 controls and
// bidi controls raw. They can only occur inside strings, where \uHHHH is an
// equivalent spelling, so this keeps the value identical for any JSON parser
// while no raw terminal-active character reaches a terminal (`--json | less`).
std::string escape_terminal_active(const std::string &in) {
    std::string out;
    out.reserve(in.size());
    char buf[16];
    for (size_t i = 0; i < in.size();) {
        size_t start = i;
        char32_t cp;
        bool valid = next_code_point(in, i, cp);
        if (valid && (cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || is_bidi_or_separator(cp))) {
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(cp));
            out += buf;
        } else {
            out.append(in, start, i - start);
        }
    }
    return out;
}

}  // namespace

std::string Json::dump(bool pretty) const {
    if (!j_) return "null";
    char *s = json_dumps(j_, JSON_ENCODE_ANY | (pretty ? JSON_INDENT(2) : JSON_COMPACT));
    std::string out = s ? s : "null";
    std::free(s);
    return escape_terminal_active(out);
}

void Json::set(const char *key, const std::string &s) {
    json_t *v = json_stringn(s.data(), s.size());
    if (!v) {
        std::string shown = safe_line(s);
        v = json_stringn(shown.data(), shown.size());
    }
    json_object_set_new(j_, key, v);
}

Json object() { return Json::own(json_object()); }
Json array() { return Json::own(json_array()); }

Json parse(const std::string &text) {
    json_error_t err;
    return Json::own(json_loadb(text.data(), text.size(), JSON_DECODE_ANY, &err));
}

Json unwrap_object(const Json &body, const char *key) {
    Json inner = body[key];
    return json_is_object(inner.get()) ? inner : body;
}

Json unwrap_list(const Json &body, const char *key) {
    if (json_is_array(body.get())) return body;
    for (const char *k : {key, "items", "data"}) {
        Json inner = body[k];
        if (json_is_array(inner.get())) return inner;
    }
    return array();
}

}  // namespace mskanban::cli
