// Reading secrets and answers from the person at the terminal.
//
// Passwords never come from the command line (they would show in `ps` and
// shell history): in order, --password-file FILE (first line), the
// MSKANBAN_PASSWORD environment variable, else a prompt on /dev/tty with echo
// off. Without a terminal and without either source, the command fails with a
// message that names both.
#pragma once

#include <string>

#include "outcome.hpp"

namespace mskanban::cli {

struct PasswordSource {
    std::string file;  // --password-file, may be empty
};

// `confirm` asks twice on a terminal (registration).
Outcome<std::string> read_password(const PasswordSource &src, const std::string &prompt, bool confirm);

// The recovery phrase, like a password never from the command line: --phrase-file FILE
// (first line), MSKANBAN_RECOVERY_PHRASE, else a prompt on /dev/tty with echo off.
Outcome<std::string> read_recovery_phrase(const std::string &file);

// A visible one-line answer from /dev/tty (TOTP codes, confirmations).
// Fails when there is no terminal.
Outcome<std::string> read_line_tty(const std::string &prompt);

bool have_tty();

}  // namespace mskanban::cli
