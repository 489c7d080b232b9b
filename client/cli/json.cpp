// Json helpers (see json.hpp).
#include "json.hpp"

#include <cstdlib>

namespace mskanban::cli {

std::string Json::dump(bool pretty) const {
    if (!j_) return "null";
    char *s = json_dumps(j_, JSON_ENCODE_ANY | (pretty ? JSON_INDENT(2) : JSON_COMPACT));
    std::string out = s ? s : "null";
    std::free(s);
    return out;
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
