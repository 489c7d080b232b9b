// Errors as values for the client crypto library and the CLI.
//
// Every fallible function returns Result<T>: either a value or an Error with a
// code (for branching) and a message (for people). Nothing here throws; callers
// test ok() before value(). Messages never contain key material or plaintext.
#pragma once

#include <string>
#include <utility>

namespace mskanban::crypto {

enum class Errc {
    invalid_input,   // malformed base64url, envelope, phrase, sizes
    decrypt_failed,  // authentication tag did not verify: tampered or wrong key
    not_utf8,        // the tag verified but a text field's plaintext is not UTF-8
    kdf_failed,      // Argon2id refused the parameters or ran out of memory
    internal,        // libsodium not initialised, etc.
};

struct Error {
    Errc code;
    std::string message;
};

template <class T>
class Result {
public:
    Result(T value) : ok_(true), value_(std::move(value)) {}
    Result(Error err) : ok_(false), err_(std::move(err)) {}

    bool ok() const { return ok_; }
    explicit operator bool() const { return ok_; }
    T &value() { return value_; }
    const T &value() const { return value_; }
    const Error &error() const { return err_; }

private:
    bool ok_;
    T value_{};
    Error err_{Errc::internal, {}};
};

inline Error make_error(Errc code, std::string message) {
    return Error{code, std::move(message)};
}

}  // namespace mskanban::crypto
