// Board drawing (see render.hpp).
#include "render.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cwchar>

#include "colour.hpp"
#include "safe_text.hpp"

namespace mskanban::cli {

namespace {

// Decode one UTF-8 code point at s[i]; advances i. Invalid bytes count as one cell.
char32_t next_cp(const std::string &s, size_t &i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1f) : n == 3 ? (c & 0x0f) : (c & 0x07);
    if (i + n > s.size()) n = 1;
    for (int k = 1; k < n; k++) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
    i += static_cast<size_t>(n);
    return cp;
}

// An SGR sequence (ESC [ params m) at s[i]: its length, else 0. Only ours
// reach here: untrusted text is escaped before it is drawn.
size_t sgr_length(const std::string &s, size_t i) {
    if (s[i] != '\x1b' || i + 1 >= s.size() || s[i + 1] != '[') return 0;
    size_t j = i + 2;
    while (j < s.size() && (std::isdigit(static_cast<unsigned char>(s[j])) || s[j] == ';')) j++;
    return j < s.size() && s[j] == 'm' ? j + 1 - i : 0;
}

int cp_width(char32_t cp) {
    if (cp < 0x20 || cp == 0x7f) return 0;
    int w = wcwidth(static_cast<wchar_t>(cp));
    return w < 0 ? 1 : w;
}

std::string pad(const std::string &s, int width) {
    int w = display_width(s);
    return w >= width ? s : s + std::string(static_cast<size_t>(width - w), ' ');
}

// Cut to at most `width` cells, marking the cut with an ellipsis.
std::string clip(const std::string &s, int width) {
    if (display_width(s) <= width) return s;
    std::string out;
    int w = 0;
    bool painted = false;
    for (size_t i = 0; i < s.size();) {
        if (size_t n = sgr_length(s, i)) {
            out.append(s, i, n);
            painted = true;
            i += n;
            continue;
        }
        size_t start = i;
        int cw = cp_width(next_cp(s, i));
        if (w + cw > width - 1) break;
        out.append(s, start, i - start);
        w += cw;
    }
    return out + "\u2026" + (painted ? "\x1b[0m" : "");
}

std::string repeat(const std::string &unit, int n) {
    std::string out;
    for (int i = 0; i < n; i++) out += unit;
    return out;
}

// The part of an email before the @ (board cells are narrow; --json has the whole address).
std::string mailbox(const std::string &email) {
    size_t at = email.find('@');
    return at == std::string::npos || at == 0 ? email : email.substr(0, at);
}

std::vector<std::string> column_lines(const ColumnView &c, int width, bool colour) {
    std::vector<std::string> lines;
    std::string count = std::to_string(c.cards.size()) + (c.wip_limit ? "/" + std::to_string(c.wip_limit) : "");
    std::string head = safe_line(c.name) + " (" + count + ")" + (c.is_done ? " \u2713" : "");
    if (c.wip_limit && static_cast<long long>(c.cards.size()) > c.wip_limit) head += " !";
    lines.push_back(clip(head, width));
    lines.push_back(repeat("\u2500", width));
    for (const auto &card : c.cards) {
        auto title = wrap_text(safe_line(card.title), width - 2);  // escaped: no newline, no control
        for (size_t i = 0; i < title.size(); i++) lines.push_back((i == 0 ? "\u2022 " : "  ") + title[i]);
        std::string meta;
        if (card.archived) meta += "archived";
        if (!card.due_at.empty()) meta += (meta.empty() ? "" : " ") + ("due " + safe_line(card.due_at.substr(0, 10)));
        if (!card.milestone.empty()) meta += (meta.empty() ? "" : " ") + ("\u25c6 " + safe_line(card.milestone));
        for (const auto &a : card.assignees) meta += (meta.empty() ? "" : " ") + ("@" + safe_line(mailbox(a)));
        if (!meta.empty()) lines.push_back("  " + clip(meta, width - 2));
        std::string tags;
        for (size_t k = 0; k < card.labels.size(); k++) {
            std::string tag = "[" + safe_line(card.labels[k]) + "]";
            if (colour && k < card.label_colours.size()) tag = paint(tag, card.label_colours[k], truecolor_terminal());
            tags += (tags.empty() ? "" : " ") + tag;
        }
        if (!tags.empty()) lines.push_back("  " + clip(tags, width - 2));
        std::string id = safe_line(card.id);
        if (display_width(id) <= width - 2) lines.push_back("  " + id);
        lines.push_back("");
    }
    if (!lines.empty() && lines.back().empty()) lines.pop_back();
    return lines;
}

}  // namespace

int display_width(const std::string &s) {
    int w = 0;
    for (size_t i = 0; i < s.size();) {
        if (size_t n = sgr_length(s, i)) { i += n; continue; }
        w += cp_width(next_cp(s, i));
    }
    return w;
}

std::vector<std::string> wrap_text(const std::string &s, int width) {
    std::vector<std::string> lines;
    if (width < 1) width = 1;
    std::string line, word;
    int lw = 0;
    auto flush_word = [&]() {
        if (word.empty()) return;
        int ww = display_width(word);
        if (lw > 0 && lw + 1 + ww > width) { lines.push_back(line); line.clear(); lw = 0; }
        while (ww > width) {  // a word longer than the line: hard-break it
            std::string head;
            int hw = 0;
            size_t i = 0;
            while (i < word.size()) {
                size_t start = i;
                int cw = cp_width(next_cp(word, i));
                if (hw + cw > width && !head.empty()) { i = start; break; }  // always take one
                head.append(word, start, i - start);
                hw += cw;
            }
            if (lw > 0) { lines.push_back(line); line.clear(); lw = 0; }
            lines.push_back(head);
            word.erase(0, i);
            ww = display_width(word);
        }
        if (!word.empty()) {
            if (lw > 0) { line += ' '; lw++; }
            line += word;
            lw += ww;
        }
        word.clear();
    };
    for (char ch : s) {
        if (ch == ' ' || ch == '\t') flush_word();
        else if (ch == '\n') { flush_word(); lines.push_back(line); line.clear(); lw = 0; }
        else word += ch;
    }
    flush_word();
    if (!line.empty() || lines.empty()) lines.push_back(line);
    return lines;
}

int terminal_width() {
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    if (const char *c = std::getenv("COLUMNS")) {
        int n = std::atoi(c);
        if (n > 0) return n;
    }
    return 80;
}

std::string render_board(const BoardView &b, int width, bool colour) {
    const int kGap = 3, kMinCol = 16;
    width = std::max(width, kMinCol);
    const std::string board_id = safe_line(b.id);
    std::string out = clip(safe_line(b.name), width) + "\n";
    out += clip(board_id + " \u00b7 " + std::to_string(b.columns.size()) + " columns", width) + "\n\n";
    if (b.columns.empty()) return out + "(no columns yet: mskanban column add " + board_id + " NAME)\n";

    int per_band = std::max(1, std::min<int>(static_cast<int>(b.columns.size()), (width + kGap) / (kMinCol + kGap)));
    for (size_t start = 0; start < b.columns.size(); start += static_cast<size_t>(per_band)) {
        size_t end = std::min(b.columns.size(), start + static_cast<size_t>(per_band));
        int n = static_cast<int>(end - start);
        int colw = (width - kGap * (n - 1)) / n;
        std::vector<std::vector<std::string>> blocks;
        size_t rows = 0;
        for (size_t i = start; i < end; i++) {
            blocks.push_back(column_lines(b.columns[i], colw, colour));
            rows = std::max(rows, blocks.back().size());
        }
        for (size_t r = 0; r < rows; r++) {
            std::string line;
            for (int k = 0; k < n; k++) {
                std::string cell = r < blocks[k].size() ? blocks[k][r] : "";
                line += k + 1 < n ? pad(cell, colw) + " \u2502 " : cell;
            }
            while (!line.empty() && line.back() == ' ') line.pop_back();
            out += line + "\n";
        }
        if (end < b.columns.size()) out += "\n";
    }
    bool ids_hidden = false;
    for (size_t start = 0; start < b.columns.size(); start += static_cast<size_t>(per_band)) {
        int n = static_cast<int>(std::min(b.columns.size() - start, static_cast<size_t>(per_band)));
        int colw = (width - kGap * (n - 1)) / n;
        for (size_t i = start; i < start + static_cast<size_t>(n); i++)
            for (const auto &card : b.columns[i].cards)
                if (display_width(safe_line(card.id)) > colw - 2) ids_hidden = true;
    }
    if (ids_hidden) out += "\n" + clip("(card ids do not fit this width: widen the terminal, or use --json)", width) + "\n";
    return out;
}

}  // namespace mskanban::cli
