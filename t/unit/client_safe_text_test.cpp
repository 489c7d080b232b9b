// Showing hostile decrypted text: safe_line/safe_text escapes (client/cli/
// safe_text.hpp), a board drawn from hostile titles keeps one card per title,
// and --json output holds no raw terminal-active character yet parses back to
// the exact text.
#include <jansson.h>

#include <sstream>
#include <string>
#include <vector>

#include "cli/json.hpp"
#include "cli/render.hpp"
#include "cli/safe_text.hpp"

#include <CppUTest/TestHarness.h>

using namespace mskanban::cli;

namespace {

// True when s holds a byte or code point a terminal would act on (the set
// safe_text.hpp promises to escape); LF and TAB allowed when `multi_line`.
bool has_terminal_active(const std::string &s, bool multi_line) {
    for (size_t i = 0; i < s.size();) {
        char32_t cp;
        if (!next_code_point(s, i, cp)) return true;
        if (multi_line && (cp == '\n' || cp == '\t')) continue;
        if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || is_bidi_or_separator(cp)) return true;
    }
    return false;
}

std::vector<std::string> hostile() {  // fresh each time: CppUTest counts a static as a leak
    return {
        std::string("\x1b[2J\x1b[H cleared"),          // ED + cursor home
        std::string("\x1b]0;owned\x07 title"),          // OSC window title + BEL
        std::string("ring\x07\x07"),                    // BEL
        std::string("over\rwritten"),                   // CR
        std::string("nul\0byte", 8),                    // NUL
        std::string("del\x7f"),                         // DEL
        std::string("csi \xc2\x9b" "31m c1"),           // U+009B (C1 CSI) as UTF-8
        std::string("rtl \xe2\x80\xae" "gnp.exe"),      // U+202E RIGHT-TO-LEFT OVERRIDE
        std::string("iso \xe2\x81\xa6" "x\xe2\x81\xa9"),  // U+2066 .. U+2069 isolates
        std::string("mark \xe2\x80\x8f\xe2\x80\x8e\xd8\x9c"),  // RLM, LRM, ALM (U+061C)
        std::string("sep \xe2\x80\xa8 \xe2\x80\xa9"),   // U+2028, U+2029
        std::string("Real\n\xe2\x80\xa2 Forged card\n  cforgedforgedforgedforged00"),  // newline forgery
        std::string("bad \xff\xfe utf8 \xc0\xaf"),      // invalid bytes (cannot come from a decrypt)
    };
}

}  // namespace

TEST_GROUP(SafeText){};

TEST(SafeText, ExactEscapes) {
    STRCMP_EQUAL("\\x1b[2J", safe_line("\x1b[2J").c_str());
    STRCMP_EQUAL("a\\x07b", safe_line("a\x07" "b").c_str());
    STRCMP_EQUAL("a\\x0db", safe_line("a\rb").c_str());
    STRCMP_EQUAL("a\\x00b", safe_line(std::string("a\0b", 3)).c_str());
    STRCMP_EQUAL("\\x7f", safe_line("\x7f").c_str());
    STRCMP_EQUAL("\\x9b", safe_line("\xc2\x9b").c_str());
    STRCMP_EQUAL("\\x80", safe_line("\xc2\x80").c_str());
    STRCMP_EQUAL("\\u202e", safe_line("\xe2\x80\xae").c_str());
    STRCMP_EQUAL("\\u202a\\u202b\\u202c\\u202d", safe_line("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad").c_str());
    STRCMP_EQUAL("\\u2066\\u2067\\u2068\\u2069", safe_line("\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9").c_str());
    STRCMP_EQUAL("\\u200e\\u200f\\u061c", safe_line("\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c").c_str());
    STRCMP_EQUAL("\\u2028\\u2029", safe_line("\xe2\x80\xa8\xe2\x80\xa9").c_str());
    STRCMP_EQUAL("one\\x0atwo\\x09three", safe_line("one\ntwo\tthree").c_str());
    STRCMP_EQUAL("\\xff\\xc0\\xaf", safe_line("\xff\xc0\xaf").c_str());   // invalid UTF-8: per byte
    STRCMP_EQUAL("\\xed\\xa0\\x80", safe_line("\xed\xa0\x80").c_str());   // a surrogate is invalid
}

TEST(SafeText, OrdinaryTextUnchanged) {
    for (const char *s : {"Ship the release", "Roadmap 2026 — Q3 ✓", "日本語のカード", "émoji 🔑 and ZWJ 👩‍💻",
                          "C:\\temp\\x1b stays as typed", "עברית و العربية"}) {
        STRCMP_EQUAL(s, safe_line(s).c_str());
        STRCMP_EQUAL(s, safe_text(s).c_str());
    }
}

TEST(SafeText, MultiLineKeepsOnlyNewlineAndTab) {
    STRCMP_EQUAL("one\ntwo\tthree\\x0d\\x1b[1m", safe_text("one\ntwo\tthree\r\x1b[1m").c_str());
}

TEST(SafeText, NothingActiveSurvives) {
    for (const auto &s : hostile()) {
        CHECK_FALSE(has_terminal_active(safe_line(s), false));
        CHECK_FALSE(has_terminal_active(safe_text(s), true));
        CHECK(safe_line(s).find('\n') == std::string::npos);
    }
}

TEST(SafeText, BoardDrawsOneCardPerHostileTitle) {
    BoardView b;
    b.id = "cboard";
    b.name = "\x1b]0;evil\x07" "Board\nwith newline";
    ColumnView col;
    col.id = "ccol";
    col.name = "Col\x1b[31m\xe2\x80\xae";
    for (size_t k = 0; k < hostile().size(); k++) {
        CardView card;
        card.id = "c" + std::string(24, static_cast<char>('a' + k));
        card.title = hostile()[k];
        card.labels = {"lab\x1b[0m\n"};
        col.cards.push_back(card);
    }
    b.columns.push_back(col);
    for (int width : {40, 120}) {
        std::string out = render_board(b, width);
        CHECK_FALSE(has_terminal_active(out, true));
        // Exactly one bullet per card (a title cannot start a line at column 0),
        // and every card block ends with its real id line: a title can neither
        // add a card nor replace the id under it.
        std::istringstream in(out);
        std::string line;
        size_t bullets = 0;
        std::vector<std::string> block_ends;
        std::string prev;
        while (std::getline(in, line)) {
            if (line.rfind("\xe2\x80\xa2 ", 0) == 0) bullets++;
            if (line.empty() && !prev.empty()) block_ends.push_back(prev);
            prev = line;
        }
        block_ends.push_back(prev);
        CHECK_EQUAL(hostile().size(), bullets);
        CHECK_EQUAL(hostile().size() + 1, block_ends.size());  // the board's header block, then one per card
        for (size_t k = 0; k < hostile().size(); k++)
            STRCMP_EQUAL(("  " + b.columns[0].cards[k].id).c_str(), block_ends[k + 1].c_str());
        CHECK(out.find("\\x1b[2J") != std::string::npos);
        CHECK(out.find("\\u202e") != std::string::npos);
    }
}

TEST(SafeText, JsonDumpEscapesButRoundTrips) {
    for (const auto &s : hostile()) {
        Json o = object();
        o.set("title", s);
        std::string text = o.dump(true);
        CHECK_FALSE(has_terminal_active(text, true));  // pretty printing's own newlines only
        json_error_t err;
        Json back = Json::own(json_loadb(text.data(), text.size(), JSON_ALLOW_NUL, &err));  // as a --json reader would
        CHECK_TEXT(back.get() != nullptr, err.text);
        json_t *t = json_object_get(back.get(), "title");
        CHECK(json_is_string(t));  // the key is never dropped
        std::string got(json_string_value(t), json_string_length(t));
        if (s.find("bad ") == 0) STRCMP_EQUAL(safe_line(s).c_str(), got.c_str());  // not UTF-8: escaped bytes
        else CHECK(got == s);  // exact, NULs included
    }
}
