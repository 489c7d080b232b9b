// Pure logic of the mskanban CLI: argument parsing, text wrapping and board
// drawing fitted to a width, column resolution, due dates, the session file.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "cli/args.hpp"
#include "cli/render.hpp"
#include "cli/resolve.hpp"
#include "cli/state.hpp"

#include <CppUTest/TestHarness.h>

using namespace mskanban::cli;

namespace {
Outcome<Args> parse_words(std::vector<std::string> words) {
    std::vector<char *> argv;  // parse_args copies what it keeps
    for (auto &w : words) argv.push_back(&w[0]);
    return parse_args(static_cast<int>(argv.size()), argv.data(), 0);
}

BoardView sample_board(int columns, int cards) {
    BoardView b;
    b.id = "cboard";
    b.name = "A board with a rather long name that has to be clipped somewhere";
    for (int c = 0; c < columns; c++) {
        ColumnView col;
        col.id = "ccol" + std::to_string(c);
        col.name = c == 1 ? "日本語の列" : "Column " + std::to_string(c);
        col.wip_limit = c == 0 ? 3 : 0;
        for (int k = 0; k < cards; k++) {
            CardView card;
            card.id = "c" + std::string(24, static_cast<char>('a' + k));
            card.title = k == 0 ? "Supercalifragilisticexpialidocious-and-then-some words here" : "Card ✓ número " + std::to_string(k);
            if (k == 1) card.due_at = "2026-06-01T00:00:00.000Z";
            card.labels = {"urgent"};
            col.cards.push_back(card);
        }
        b.columns.push_back(col);
    }
    return b;
}
}  // namespace

TEST_GROUP(ClientCli){};

TEST(ClientCli, ArgsOptionsAndFlags) {
    auto a = parse_words({"board", "show", "--width=100", "cb1", "--json", "--archived", "--due", "2026-01-01"});
    CHECK(a.ok());
    CHECK_EQUAL(3u, a.value().pos.size());
    STRCMP_EQUAL("100", a.value().get("width").c_str());
    STRCMP_EQUAL("2026-01-01", a.value().get("due").c_str());
    CHECK(a.value().has("json"));
    CHECK(a.value().has("archived"));
    CHECK_FALSE(parse_words({"login", "--totp"}).ok());                 // value missing
    auto pw = parse_words({"login", "a@b", "--password", "hunter2"});   // never on the command line
    CHECK_FALSE(pw.ok());
    CHECK_EQUAL(kUsage, pw.failure().exit_code);
    auto dd = parse_words({"card", "add", "--", "--not-an-option"});
    STRCMP_EQUAL("--not-an-option", dd.value().pos[2].c_str());
}

TEST(ClientCli, DisplayWidthCountsCells) {
    CHECK_EQUAL(5, display_width("hello"));
    CHECK_EQUAL(4, display_width("日本"));
    CHECK_EQUAL(6, display_width("número"));
}

TEST(ClientCli, WrapNeverExceedsWidth) {
    for (int w : {1, 5, 10, 33}) {
        for (const auto &line : wrap_text("Supercalifragilistic words 日本語のカード and ✓ more\nsecond line", w))
            CHECK(display_width(line) <= (w < 2 ? 2 : w));  // a 2-cell character cannot be split
    }
    auto lines = wrap_text("one two three", 7);
    CHECK_EQUAL(2u, lines.size());
    STRCMP_EQUAL("one two", lines[0].c_str());
}

TEST(ClientCli, BoardFitsTheWidth) {
    for (int width : {30, 60, 80, 120, 200}) {
        std::istringstream in(render_board(sample_board(4, 3), width));
        std::string line;
        int n = 0;
        while (std::getline(in, line)) {
            n++;
            if (display_width(line) > width) FAIL(("line wider than " + std::to_string(width) + ": " + line).c_str());
        }
        CHECK(n > 5);
    }
}

TEST(ClientCli, NarrowTerminalDrawsColumnsInBands) {
    std::string wide = render_board(sample_board(4, 1), 200), narrow = render_board(sample_board(4, 1), 40);
    // Side by side: all four headers on one line when wide; never more than two when narrow.
    auto headers_on_one_line = [](const std::string &s) {
        std::istringstream in(s);
        std::string line;
        int best = 0;
        while (std::getline(in, line)) {
            int n = 0;
            for (size_t p = line.find("Column"); p != std::string::npos; p = line.find("Column", p + 1)) n++;
            if (line.find("日本語の列") != std::string::npos) n++;
            best = std::max(best, n);
        }
        return best;
    };
    CHECK_EQUAL(4, headers_on_one_line(wide));
    CHECK(headers_on_one_line(narrow) <= 2);
    CHECK(wide.find("(1/3)") != std::string::npos);  // count against the WIP limit
    CHECK(narrow.find("card ids do not fit") != std::string::npos);
}

TEST(ClientCli, FindColumnByIdOrName) {
    BoardView b = sample_board(3, 0);
    CHECK_EQUAL(2u, find_column(b, "ccol2").value());
    CHECK_EQUAL(0u, find_column(b, "column 0").value());
    CHECK_EQUAL(1u, find_column(b, "日本語の列").value());
    auto missing = find_column(b, "nope");
    CHECK_FALSE(missing.ok());
    CHECK(missing.failure().message.find("Column 0 (ccol0)") != std::string::npos);
    b.columns[2].name = "Column 0";
    CHECK_FALSE(find_column(b, "Column 0").ok());  // ambiguous
}

TEST(ClientCli, DueDates) {
    STRCMP_EQUAL("2026-06-01T00:00:00.000Z", due_date("2026-06-01").value().c_str());
    STRCMP_EQUAL("2026-06-01T17:30:00.000Z", due_date("2026-06-01T17:30:00.000Z").value().c_str());
    CHECK_FALSE(due_date("tomorrow").ok());
    CHECK_FALSE(due_date("2026-6-1").ok());
}

TEST(ClientCli, SessionFileRoundTripAndMode) {
    char tmpl[] = "/tmp/mskanban-state-XXXXXX";
    std::string dir = mkdtemp(tmpl);
    std::string path = dir + "/sub/session.json";
    SessionState s;
    s.server = "http://127.0.0.1:8080";
    s.email = "a@example.org";
    s.session_token = "tok";
    s.usk = mskanban::crypto::SecretBytes::random(32);
    s.private_key = mskanban::crypto::SecretBytes::random(32);
    CHECK(save_state(path, s).ok());
    struct stat st;
    CHECK_EQUAL(0, stat(path.c_str(), &st));
    CHECK_EQUAL(0600, static_cast<int>(st.st_mode & 0777));
    CHECK_EQUAL(0, stat((dir + "/sub").c_str(), &st));
    CHECK_EQUAL(0700, static_cast<int>(st.st_mode & 0777));
    auto back = load_state(path);
    CHECK(back.ok());
    CHECK(back.value().usk.equals(s.usk));
    CHECK(back.value().logged_in());
    chmod(path.c_str(), 0644);
    CHECK_FALSE(load_state(path).ok());  // readable by others: refused
    CHECK(remove_state(path).ok());
    CHECK(load_state(path).value().session_token.empty());  // missing file: empty state
    rmdir((dir + "/sub").c_str());
    rmdir(dir.c_str());
}
