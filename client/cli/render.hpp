// Drawing a decrypted board in the terminal: columns side by side, each card
// as its wrapped title plus a line of due date and labels, fitted to the
// terminal width (TIOCGWINSZ, else $COLUMNS, else 80). When the columns would
// be narrower than 16 cells they are drawn in bands, as many per band as fit.
// Widths count display cells (wcwidth), so accents and CJK line up. Every
// string from the view is passed through safe_line() first: a title is one
// card, however many newlines or escape sequences its plaintext holds.
#pragma once

#include <string>
#include <vector>

#include "board_data.hpp"

namespace mskanban::cli {

int terminal_width();
// colour: draw label names in their colours (colour.hpp decides when); the
// SGR sequences count as zero cells, so widths are the same either way.
std::string render_board(const BoardView &b, int width, bool colour = false);

// Display width of UTF-8 text (an SGR sequence ESC [ ... m counts zero), and
// wrapping into lines of at most `width` cells.
int display_width(const std::string &s);
std::vector<std::string> wrap_text(const std::string &s, int width);

}  // namespace mskanban::cli
