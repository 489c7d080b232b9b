// One-line logs on stderr: time, level, request id (when serving a request), message.
// Never log a secret: tokens, authHash, TOTP codes, cookies, bodies.
#pragma once

#include <string>

namespace msk {

enum class LogLevel { debug = 0, info = 1, warn = 2, error = 3 };

void set_log_level(const std::string &level);
// The request id attached to this thread's log lines ("" when idle).
void set_log_request_id(const std::string &id);
void log(LogLevel level, const std::string &message);
inline void log_info(const std::string &m) { log(LogLevel::info, m); }
inline void log_warn(const std::string &m) { log(LogLevel::warn, m); }
inline void log_error(const std::string &m) { log(LogLevel::error, m); }
inline void log_debug(const std::string &m) { log(LogLevel::debug, m); }

}  // namespace msk
