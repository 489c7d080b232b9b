// Errors as values for the CLI: an Outcome<T> is a value or a Failure that
// main() prints as one line on stderr and turns into the exit code. Nothing
// in the CLI throws past main.
#pragma once

#include <string>
#include <utility>

namespace mskanban::cli {

// Exit codes, documented in client/README.md.
enum Exit : int {
    kOk = 0,
    kGeneral = 1,     // server answered with an error we do not special-case
    kUsage = 2,       // bad command line
    kAuth = 3,        // wrong password, not logged in, session expired, TOTP
    kNetwork = 4,     // server unreachable, TLS, timeout
    kRateLimited = 5, // 429: message carries the wait
    kDecrypt = 6,     // a field failed to decrypt: tampered or wrong key
};

struct Failure {
    int exit_code = kGeneral;
    std::string message;
    std::string api_code;  // the server's error code (TOTP_REQUIRED, ...) when it sent one
    long http_status = 0;
};

template <class T>
class Outcome {
public:
    Outcome(T value) : ok_(true), value_(std::move(value)) {}
    Outcome(Failure f) : ok_(false), failure_(std::move(f)) {}
    bool ok() const { return ok_; }
    explicit operator bool() const { return ok_; }
    T &value() { return value_; }
    const Failure &failure() const { return failure_; }

private:
    bool ok_;
    T value_{};
    Failure failure_;
};

struct Unit {};
using Status = Outcome<Unit>;
inline Status ok_status() { return Unit{}; }

inline Failure fail(int code, std::string message) { return Failure{code, std::move(message), {}, 0}; }

}  // namespace mskanban::cli
