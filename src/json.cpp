// JSON parsing and typed field access for request bodies.
#include "json.hpp"

namespace msk {

Result<JsonPtr> parse_object(std::string_view body) {
    json_error_t err;
    // Reject NUL in strings and duplicate keys: both are ways to smuggle two meanings.
    JsonPtr j(json_loadb(body.data(), body.size(), JSON_REJECT_DUPLICATES, &err));
    if (!j) return bad_request(std::string("invalid JSON: ") + err.text);
    if (!json_is_object(j.get())) return bad_request("the request body must be a JSON object");
    return j;
}

std::string dump(const json_t *j) {
    char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
    if (!s) return "null";
    std::string out(s);
    free(s);
    return out;
}

static Result<std::optional<std::string>> string_at(const json_t *obj, const char *name,
                                                    size_t max_len) {
    json_t *v = json_object_get(obj, name);
    if (!v) return std::optional<std::string>();
    if (!json_is_string(v)) return bad_request(std::string("\"") + name + "\" must be a string");
    size_t len = json_string_length(v);
    const char *s = json_string_value(v);
    if (len > max_len)
        return bad_request(std::string("\"") + name + "\" is longer than " + std::to_string(max_len) + " bytes");
    std::string out(s, len);
    if (out.find('\0') != std::string::npos)
        return bad_request(std::string("\"") + name + "\" must not contain NUL");
    return std::optional<std::string>(std::move(out));
}

Result<std::string> req_string(const json_t *obj, const char *name, size_t max_len) {
    auto r = string_at(obj, name, max_len);
    if (!r) return r.error();
    if (!r.value()) return bad_request(std::string("\"") + name + "\" is required");
    return std::move(*r.value());
}

Result<std::optional<std::string>> opt_string(const json_t *obj, const char *name, size_t max_len) {
    json_t *v = json_object_get(obj, name);
    if (v && json_is_null(v)) return std::optional<std::string>();
    return string_at(obj, name, max_len);
}

Result<Nullable> nullable_string(const json_t *obj, const char *name, size_t max_len) {
    json_t *v = json_object_get(obj, name);
    Nullable n;
    if (!v) return n;
    n.present = true;
    if (json_is_null(v)) return n;
    auto r = string_at(obj, name, max_len);
    if (!r) return r.error();
    n.value = std::move(r.value());
    return n;
}

Result<std::optional<int64_t>> opt_int(const json_t *obj, const char *name, int64_t lo, int64_t hi) {
    json_t *v = json_object_get(obj, name);
    if (!v || json_is_null(v)) return std::optional<int64_t>();
    if (!json_is_integer(v)) return bad_request(std::string("\"") + name + "\" must be an integer");
    int64_t n = json_integer_value(v);
    if (n < lo || n > hi)
        return bad_request(std::string("\"") + name + "\" must be between " + std::to_string(lo) +
                           " and " + std::to_string(hi));
    return std::optional<int64_t>(n);
}

Result<std::optional<bool>> opt_bool(const json_t *obj, const char *name) {
    json_t *v = json_object_get(obj, name);
    if (!v || json_is_null(v)) return std::optional<bool>();
    if (!json_is_boolean(v)) return bad_request(std::string("\"") + name + "\" must be a boolean");
    return std::optional<bool>(json_is_true(v));
}

json_t *jstr_or_null(const std::optional<std::string> &s) { return s ? jstr(*s) : json_null(); }

}  // namespace msk
