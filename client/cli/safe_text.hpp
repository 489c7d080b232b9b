// Showing untrusted text on a terminal.
//
// Everything the CLI prints that it did not write itself (decrypted titles,
// names, descriptions, labels; ids, emails and other strings from the server)
// goes through one of these before it reaches stdout or stderr, so a member
// who encrypts escape sequences cannot clear your screen, retitle your window,
// ring the bell, overwrite a line with CR, reorder text with a bidi override,
// or draw a forged card with a newline. Visible escapes replace:
//
//   C0 controls U+0000..U+001F, DEL U+007F, C1 U+0080..U+009F  ->  \xHH   (\x1b, \x0a, \x9b)
//   bidi controls U+061C, U+200E, U+200F, U+202A..U+202E,
//     U+2066..U+2069, and the separators U+2028, U+2029        ->  \uHHHH (\u202e)
//   a byte that is not part of valid UTF-8                      ->  \xHH of the byte
//
// hex is lowercase. safe_text() (multi-line fields: descriptions) keeps LF and
// TAB; safe_line() (titles, names, ids: one line each) escapes them too.
// Backslashes are left alone: the display is for people, not a lossless
// encoding (a title that literally says "\x1b" looks like an escaped ESC, and
// is equally harmless); `--json` is the exact form. docs/client.md,
// "Showing decrypted text", is the user-facing statement of this.
#pragma once

#include <cstddef>
#include <string>

namespace mskanban::cli {

std::string safe_line(const std::string &s);
std::string safe_text(const std::string &s);

// The invisible code points that reorder or break text (the \uHHHH set above).
bool is_bidi_or_separator(char32_t cp);

// Decode one code point at s[i] strictly (as crypto::valid_utf8 does) and
// advance i; on an invalid sequence, advance one byte and return false.
bool next_code_point(const std::string &s, std::size_t &i, char32_t &cp);

}  // namespace mskanban::cli
