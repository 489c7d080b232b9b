// Errors as values. A domain function returns Result<T>; the FastCGI dispatcher is the
// one place that turns an Error into an HTTP response with the
// {"error":{"code","message"}} shape.
#pragma once

#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace msk {

struct Error {
    int status = 500;
    std::string code = "INTERNAL";
    std::string message = "internal error";
    // Extra response headers such as Retry-After or Allow.
    std::vector<std::pair<std::string, std::string>> headers;
};

inline Error bad_request(std::string msg) { return {400, "BAD_REQUEST", std::move(msg), {}}; }
inline Error unauthorized(std::string msg = "authentication required") {
    return {401, "UNAUTHORIZED", std::move(msg), {}};
}
inline Error forbidden(std::string msg = "not allowed") { return {403, "FORBIDDEN", std::move(msg), {}}; }
inline Error not_found(std::string msg = "not found") { return {404, "NOT_FOUND", std::move(msg), {}}; }
inline Error conflict(std::string msg) { return {409, "CONFLICT", std::move(msg), {}}; }
inline Error too_large(std::string msg = "request body too large") {
    return {413, "PAYLOAD_TOO_LARGE", std::move(msg), {}};
}
inline Error unavailable(std::string msg) { return {503, "UNAVAILABLE", std::move(msg), {}}; }
inline Error internal(std::string msg = "internal error") { return {500, "INTERNAL", std::move(msg), {}}; }

// Either a value or an Error. Construct from either; test with ok().
template <class T>
class Result {
public:
    Result(T value) : v_(std::move(value)) {}
    Result(Error err) : v_(std::move(err)) {}
    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T &value() { return std::get<0>(v_); }
    const T &value() const { return std::get<0>(v_); }
    T &operator*() { return value(); }
    T *operator->() { return &value(); }
    const Error &error() const { return std::get<1>(v_); }

private:
    std::variant<T, Error> v_;
};

// For functions that only succeed or fail.
struct Unit {};
using Status = Result<Unit>;
inline Status ok_status() { return Unit{}; }

}  // namespace msk
