// Logging to stderr, one write(2) per line so threads do not interleave.
#include "log.hpp"

#include <unistd.h>

#include <atomic>

#include "timeutil.hpp"

namespace msk {

static std::atomic<int> g_level{static_cast<int>(LogLevel::info)};
static thread_local std::string t_request_id;

void set_log_level(const std::string &level) {
    LogLevel l = LogLevel::info;
    if (level == "debug") l = LogLevel::debug;
    else if (level == "warn") l = LogLevel::warn;
    else if (level == "error") l = LogLevel::error;
    g_level = static_cast<int>(l);
}

void set_log_request_id(const std::string &id) { t_request_id = id; }

void log(LogLevel level, const std::string &message) {
    if (static_cast<int>(level) < g_level) return;
    static const char *names[] = {"debug", "info", "warn", "error"};
    std::string line = iso8601_ms(now_ms()) + " " + names[static_cast<int>(level)] + " pid=" +
                       std::to_string(getpid());
    if (!t_request_id.empty()) line += " rid=" + t_request_id;
    line += " " + message + "\n";
    ssize_t ignored = write(STDERR_FILENO, line.data(), line.size());
    (void)ignored;
}

}  // namespace msk
