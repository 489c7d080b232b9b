// Password and answer prompts (see prompt.hpp).
#include "prompt.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "crypto/secret.hpp"

namespace mskanban::cli {

namespace {

// Read one line from fd (without the newline); false on EOF before any byte.
bool read_fd_line(int fd, std::string &out) {
    out.clear();
    char c;
    bool any = false;
    while (read(fd, &c, 1) == 1) {
        any = true;
        if (c == '\n') break;
        out += c;
    }
    if (!out.empty() && out.back() == '\r') out.pop_back();
    return any;
}

Outcome<std::string> prompt_tty(const std::string &prompt, bool echo) {
    int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (fd < 0) return fail(kUsage, "no terminal to prompt on");
    if (write(fd, prompt.data(), prompt.size()) < 0) { close(fd); return fail(kUsage, "cannot write to the terminal"); }
    struct termios old, quiet;
    bool restore = false;
    if (!echo && tcgetattr(fd, &old) == 0) {
        quiet = old;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        quiet.c_lflag |= ECHONL;
        restore = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
    }
    std::string line;
    bool got = read_fd_line(fd, line);
    if (restore) tcsetattr(fd, TCSAFLUSH, &old);
    close(fd);
    if (!got) return fail(kUsage, "no answer read from the terminal");
    return line;
}

// The first line of `file` (named by `flag` in errors); an empty line is an error.
Outcome<std::string> first_line_of(const std::string &file, const char *flag) {
    int fd = open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fail(kUsage, std::string("cannot read ") + flag + " " + file + ": " + std::strerror(errno));
    std::string line;
    read_fd_line(fd, line);
    close(fd);
    if (line.empty()) return fail(kUsage, std::string(flag) + " " + file + " is empty");
    return line;
}

}  // namespace

bool have_tty() {
    int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (fd < 0) return false;
    close(fd);
    return true;
}

Outcome<std::string> read_password(const PasswordSource &src, const std::string &prompt, bool confirm) {
    if (!src.file.empty()) return first_line_of(src.file, "--password-file");
    if (const char *e = std::getenv("MSKANBAN_PASSWORD"); e && *e) return std::string(e);
    if (!have_tty())
        return fail(kUsage, "no password: set MSKANBAN_PASSWORD or pass --password-file FILE (no terminal to prompt on)");
    auto first = prompt_tty(prompt, false);
    if (!first) return first;
    if (first.value().empty()) return fail(kUsage, "empty password");
    if (confirm) {
        auto again = prompt_tty("Repeat password: ", false);
        if (!again) return again;
        bool same = again.value() == first.value();
        crypto::wipe_string(again.value());
        if (!same) {
            crypto::wipe_string(first.value());
            return fail(kUsage, "the passwords do not match");
        }
    }
    return first;
}

Outcome<std::string> read_recovery_phrase(const std::string &file) {
    if (!file.empty()) return first_line_of(file, "--phrase-file");
    if (const char *e = std::getenv("MSKANBAN_RECOVERY_PHRASE"); e && *e) return std::string(e);
    if (!have_tty())
        return fail(kUsage,
                    "no recovery phrase: set MSKANBAN_RECOVERY_PHRASE or pass --phrase-file FILE (no terminal to prompt on)");
    return prompt_tty("Recovery phrase: ", false);
}

Outcome<std::string> read_line_tty(const std::string &prompt) { return prompt_tty(prompt, true); }

}  // namespace mskanban::cli
