// Label colours on the terminal.
//
// Colour is used only when stdout is a terminal, $NO_COLOR is unset or empty
// (no-color.org) and $TERM is not "dumb"; $CLICOLOR_FORCE=1 forces it on
// (for pagers and tests), but NO_COLOR still wins. A label's colour is
// plaintext from the server: only the nine palette names and #rrggbb are
// turned into an SGR sequence (palette names as the 16 basic colours where
// one fits, else the 256-colour cube; #rrggbb as 24-bit when $COLORTERM says
// truecolor/24bit, else the nearest of the 256); anything else is drawn
// uncoloured. Untrusted text never reaches here unescaped (safe_text.hpp), so
// the only ESC in a drawn board is one of ours, which render.cpp counts as
// zero cells.
#pragma once

#include <string>

namespace mskanban::cli {

// Whether to colour output on file descriptor fd (the environment as above).
bool colour_wanted(int fd);

// The SGR parameters for a label colour ("31", "38;5;208", "38;2;18;52;86"),
// or "" for a value that is not a palette name or #rrggbb.
std::string label_sgr(const std::string &colour, bool truecolor);

// text wrapped in the colour's SGR and a reset; text unchanged when the colour is unknown.
std::string paint(const std::string &text, const std::string &colour, bool truecolor);

// $COLORTERM is truecolor or 24bit.
bool truecolor_terminal();

}  // namespace mskanban::cli
