// A reference-counted jansson value with RAII (Json) plus the few accessors
// the CLI needs. A Json owns one reference; copies take another.
#pragma once

#include <jansson.h>

#include <string>

namespace mskanban::cli {

class Json {
public:
    Json() = default;
    // Take ownership of a new reference (json_object(), json_loads(), ...).
    static Json own(json_t *j) { Json r; r.j_ = j; return r; }
    // Borrow: increments the count.
    static Json borrow(json_t *j) { return own(json_incref(j)); }
    Json(const Json &o) : j_(json_incref(o.j_)) {}
    Json(Json &&o) noexcept : j_(o.j_) { o.j_ = nullptr; }
    Json &operator=(Json o) { std::swap(j_, o.j_); return *this; }
    ~Json() { json_decref(j_); }

    json_t *get() const { return j_; }
    explicit operator bool() const { return j_ != nullptr; }

    Json operator[](const char *key) const { return borrow(json_object_get(j_, key)); }
    Json at(size_t i) const { return borrow(json_array_get(j_, i)); }
    size_t size() const { return json_is_array(j_) ? json_array_size(j_) : 0; }
    std::string str(const char *key, const std::string &dflt = "") const {
        const char *s = json_string_value(json_object_get(j_, key));
        return s ? s : dflt;
    }
    bool has(const char *key) const {
        json_t *v = json_object_get(j_, key);
        return v && !json_is_null(v);
    }
    long long num(const char *key, long long dflt = 0) const {
        json_t *v = json_object_get(j_, key);
        return json_is_integer(v) ? json_integer_value(v) : dflt;
    }
    bool boolean(const char *key, bool dflt = false) const {
        json_t *v = json_object_get(j_, key);
        return json_is_boolean(v) ? json_is_true(v) : dflt;
    }
    void set(const char *key, Json v) { json_object_set(j_, key, v.get()); }
    // A string value, NULs included. Never drops the key: text that is not
    // valid UTF-8 (which jansson refuses) is stored with its bad bytes as \xHH.
    void set(const char *key, const std::string &s);
    // Serialise. DEL, C1 and bidi controls inside strings are written as
    // \uHHHH (jansson already escapes C0), so --json output is exact for a
    // parser and holds no raw terminal-active character (safe_text.hpp).
    std::string dump(bool pretty = false) const;

private:
    json_t *j_ = nullptr;
};

Json object();
Json array();
Json parse(const std::string &text);  // null Json on a parse error

// Responses may wrap an object ({"board":{...}}) or a list ({"boards":[...]},
// {"items":[...]}, {"data":[...]}) or be bare: these accept all three.
Json unwrap_object(const Json &body, const char *key);
Json unwrap_list(const Json &body, const char *key);

}  // namespace mskanban::cli
