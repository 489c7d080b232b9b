// Terminal QR rendering (see qr.hpp).
#include "qr.hpp"

#include <qrencode.h>

namespace mskanban::cli {

std::string render_qr(const std::string &text) {
    QRcode *q = QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!q) return "";
    const int quiet = 2, w = q->width, n = w + 2 * quiet;
    auto dark = [&](int x, int y) {
        x -= quiet;
        y -= quiet;
        if (x < 0 || y < 0 || x >= w || y >= w) return false;
        return (q->data[y * w + x] & 1) != 0;
    };
    std::string out;
    for (int y = 0; y < n; y += 2) {
        for (int x = 0; x < n; x++) {
            bool top = !dark(x, y), bottom = y + 1 < n && !dark(x, y + 1);  // light = drawn
            out += top && bottom ? "\u2588" : top ? "\u2580" : bottom ? "\u2584" : " ";
        }
        out += '\n';
    }
    QRcode_free(q);
    return out;
}

}  // namespace mskanban::cli
