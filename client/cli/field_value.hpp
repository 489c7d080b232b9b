// Custom field values: what each plaintext type looks like (docs/client.md,
// "Custom fields, templates: plaintext formats"), checked on the client before
// anything is encrypted, and how a decrypted value is shown.
//
//   text      any UTF-8 text
//   number    a JSON-style decimal: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
//   date      YYYY-MM-DD, a real calendar day
//   url       http:// or https:// with a host, no spaces or control characters
//   checkbox  "true" or "false" (typed as true/false, yes/no, on/off, 1/0, x)
//   dropdown  exactly one of the field's options (typed case-insensitively)
//
// The server sees only the type; a value that another client wrote and that
// does not fit its type is shown escaped with "(not a valid <type>)".
#pragma once

#include <string>
#include <vector>

#include "outcome.hpp"

namespace mskanban::cli {

// True for the six types of the API (text, number, date, url, checkbox, dropdown).
bool known_field_type(const std::string &type);

// The stored plaintext for what the person typed, or a kUsage failure that
// says what the type wants. `options` matters for dropdowns only.
Outcome<std::string> field_input(const std::string &type, const std::string &typed,
                                 const std::vector<std::string> &options);

// A stored value for people: "[x]" / "[ ]" for a checkbox, the day for a date,
// the text otherwise; a value that does not fit its type gets a note. Not
// escaped: callers pass the result through safe_line().
std::string field_display(const std::string &type, const std::string &value,
                          const std::vector<std::string> &options);

// A dropdown's option list: plaintext is a JSON array of distinct, non-empty
// strings. parse_options fails (kDecrypt) on anything else.
Outcome<std::vector<std::string>> parse_options(const std::string &plaintext);
std::string options_plaintext(const std::vector<std::string> &options);
// "Low, Medium ,High" -> {"Low","Medium","High"}; kUsage on an empty or repeated option.
Outcome<std::vector<std::string>> split_options(const std::string &typed);

}  // namespace mskanban::cli
