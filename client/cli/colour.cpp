// Label colours on the terminal (see colour.hpp).
#include "colour.hpp"

#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace mskanban::cli {

namespace {

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// 0..255 -> the nearest level of the 6x6x6 cube (0, 95, 135, 175, 215, 255).
int cube_level(int v) { return v < 48 ? 0 : v < 115 ? 1 : (v - 35) / 40; }

bool env_set(const char *name) {
    const char *v = std::getenv(name);
    return v && *v;
}

}  // namespace

bool colour_wanted(int fd) {
    if (env_set("NO_COLOR")) return false;
    const char *force = std::getenv("CLICOLOR_FORCE");
    if (force && *force && std::strcmp(force, "0") != 0) return true;
    const char *term = std::getenv("TERM");
    if (term && std::strcmp(term, "dumb") == 0) return false;
    return isatty(fd) == 1;
}

bool truecolor_terminal() {
    const char *ct = std::getenv("COLORTERM");
    return ct && (std::strcmp(ct, "truecolor") == 0 || std::strcmp(ct, "24bit") == 0);
}

std::string label_sgr(const std::string &colour, bool truecolor) {
    static const struct { const char *name, *sgr; } kPalette[] = {
        {"gray", "90"},          {"red", "31"},  {"orange", "38;5;208"}, {"yellow", "33"},     {"green", "32"},
        {"teal", "36"},          {"blue", "34"}, {"purple", "35"},       {"pink", "38;5;205"},
    };
    for (const auto &p : kPalette)
        if (colour == p.name) return p.sgr;
    if (colour.size() != 7 || colour[0] != '#') return "";
    int rgb[3];
    for (int k = 0; k < 3; k++) {
        int hi = hex_digit(colour[1 + 2 * k]), lo = hex_digit(colour[2 + 2 * k]);
        if (hi < 0 || lo < 0) return "";
        rgb[k] = hi * 16 + lo;
    }
    if (truecolor)
        return "38;2;" + std::to_string(rgb[0]) + ";" + std::to_string(rgb[1]) + ";" + std::to_string(rgb[2]);
    return "38;5;" + std::to_string(16 + 36 * cube_level(rgb[0]) + 6 * cube_level(rgb[1]) + cube_level(rgb[2]));
}

std::string paint(const std::string &text, const std::string &colour, bool truecolor) {
    std::string sgr = label_sgr(colour, truecolor);
    return sgr.empty() ? text : "\x1b[" + sgr + "m" + text + "\x1b[0m";
}

}  // namespace mskanban::cli
