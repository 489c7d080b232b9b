// A QR code for the terminal, drawn with Unicode half blocks (two modules per
// character row) by libqrencode. Like `qrencode -t UTF8`, light modules and
// the quiet zone are drawn as blocks, which scans on the usual dark terminal.
#pragma once

#include <string>

namespace mskanban::cli {

// Empty string when the text cannot be encoded.
std::string render_qr(const std::string &text);

}  // namespace mskanban::cli
