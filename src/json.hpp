// Jansson with ownership: JsonPtr releases its reference, and the field readers turn a
// missing or mistyped field into a 400 that names it.
#pragma once

#include <jansson.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "error.hpp"

namespace msk {

struct JsonDeleter {
    void operator()(json_t *j) const { json_decref(j); }
};
using JsonPtr = std::unique_ptr<json_t, JsonDeleter>;

// Takes ownership of a new reference (what json_object() etc. return).
inline JsonPtr own(json_t *j) { return JsonPtr(j); }

// Parses a request body that must be a JSON object.
Result<JsonPtr> parse_object(std::string_view body);
// Compact serialisation; keys keep insertion order.
std::string dump(const json_t *j);

// Readers for a request object. `max_len` bounds strings in bytes.
Result<std::string> req_string(const json_t *obj, const char *name, size_t max_len);
Result<std::optional<std::string>> opt_string(const json_t *obj, const char *name, size_t max_len);
// A string field that may be explicitly null (for clearing); absent -> outer nullopt.
struct Nullable {
    bool present = false;
    std::optional<std::string> value;  // nullopt when null
};
Result<Nullable> nullable_string(const json_t *obj, const char *name, size_t max_len);
Result<std::optional<int64_t>> opt_int(const json_t *obj, const char *name, int64_t lo, int64_t hi);
Result<std::optional<bool>> opt_bool(const json_t *obj, const char *name);

// Builders for responses.
inline json_t *jstr(const std::string &s) { return json_stringn(s.data(), s.size()); }
json_t *jstr_or_null(const std::optional<std::string> &s);

}  // namespace msk
