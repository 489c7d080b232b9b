// Labels, assignees and milestones on a drawn board: cards resolve their ids
// into names (board_meta.hpp), label colours become SGR sequences only for
// known colours (colour.hpp) and only when asked, those sequences count zero
// cells (so a coloured board is exactly as wide as a plain one), a hostile
// label name is escaped before it is painted, and NO_COLOR / CLICOLOR_FORCE
// decide as documented.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "cli/board_meta.hpp"
#include "cli/colour.hpp"
#include "cli/render.hpp"

#include <CppUTest/TestHarness.h>

using namespace mskanban::cli;

namespace {

BoardView labelled_board() {
    BoardView b;
    b.id = "cboard";
    b.name = "Labels";
    b.labels = {{"clabel1", "urgent", "red"}, {"clabel2", "later", "#123456"}, {"clabel3", "odd\x1b[2J", "chartreuse"}};
    b.milestones = {{"cms1", "v1.0", "2026-06-01T00:00:00.000Z", false}};
    b.members = {{"cuser1", "alice@example.org", "owner"}, {"cuser2", "bob@example.org", "member"}};
    ColumnView col;
    col.id = "ccol";
    col.name = "To do";
    CardView card;
    card.id = "c" + std::string(24, 'a');
    card.title = "Fix the login page";
    card.label_ids = {"clabel1", "clabel2", "clabel3", "cgone"};
    card.assignee_ids = {"cuser2", "cformer"};
    card.milestone_id = "cms1";
    col.cards.push_back(card);
    b.columns.push_back(col);
    b.columns.push_back(ColumnView{"cdone", "Done", "b", 0, true, {}});
    for (auto &c : b.columns)
        for (auto &k : c.cards) resolve_card(k, b);
    return b;
}

size_t count(const std::string &s, const std::string &what) {
    size_t n = 0;
    for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) n++;
    return n;
}

}  // namespace

TEST_GROUP(BoardMeta){};

TEST(BoardMeta, CardsResolveIdsToNames) {
    BoardView b = labelled_board();
    const CardView &c = b.columns[0].cards[0];
    CHECK_EQUAL(3u, c.labels.size());  // the deleted label "cgone" is left out
    STRCMP_EQUAL("urgent", c.labels[0].c_str());
    STRCMP_EQUAL("#123456", c.label_colours[1].c_str());
    CHECK_EQUAL(2u, c.assignees.size());
    STRCMP_EQUAL("bob@example.org", c.assignees[0].c_str());
    STRCMP_EQUAL("cformer", c.assignees[1].c_str());  // no longer a member: the id
    STRCMP_EQUAL("v1.0", c.milestone.c_str());
}

TEST(BoardMeta, PlainBoardShowsLabelsAssigneesMilestone) {
    std::string out = render_board(labelled_board(), 100, false);
    CHECK(out.find("[urgent] [later]") != std::string::npos);
    CHECK(out.find("@bob") != std::string::npos);
    CHECK(out.find("\u25c6 v1.0") != std::string::npos);
    CHECK(out.find("[odd\\x1b[2J]") != std::string::npos);  // escaped, not obeyed
    CHECK_EQUAL(0u, count(out, "\x1b"));
}

TEST(BoardMeta, ColourOnlyForKnownColours) {
    std::string out = render_board(labelled_board(), 100, true);
    CHECK(out.find("\x1b[31m[urgent]\x1b[0m") != std::string::npos);
    CHECK(out.find("\x1b[38;5;") != std::string::npos);   // #123456 in the 256-colour cube
    CHECK(out.find("[odd\\x1b[2J]") != std::string::npos);  // unknown colour: drawn plain, still escaped
    CHECK_EQUAL(4u, count(out, "\x1b"));                  // two labels painted, each reset
    STRCMP_EQUAL("", label_sgr("chartreuse", false).c_str());
    STRCMP_EQUAL("", label_sgr("#12345g", false).c_str());
    STRCMP_EQUAL("", label_sgr("#1234567", false).c_str());
    STRCMP_EQUAL("38;2;18;52;86", label_sgr("#123456", true).c_str());
    STRCMP_EQUAL("38;5;196", label_sgr("#ff0000", false).c_str());
    STRCMP_EQUAL("90", label_sgr("gray", false).c_str());
}

TEST(BoardMeta, ColourChangesNoWidth) {
    for (int width : {24, 40, 80, 120}) {
        std::istringstream plain(render_board(labelled_board(), width, false));
        std::istringstream painted(render_board(labelled_board(), width, true));
        std::string a, b;
        while (std::getline(plain, a)) {
            CHECK(static_cast<bool>(std::getline(painted, b)));
            CHECK_EQUAL(display_width(a), display_width(b));
            if (display_width(b) > width) FAIL(("wider than " + std::to_string(width) + ": " + b).c_str());
        }
    }
    CHECK_EQUAL(6, display_width("\x1b[31m[urgent]\x1b[0m") - 2);
}

TEST(BoardMeta, EnvironmentDecidesColour) {
    unsetenv("NO_COLOR");
    unsetenv("CLICOLOR_FORCE");
    int fd = fileno(stdout);
    bool tty = isatty(fd) == 1;
    const char *term = getenv("TERM");
    CHECK_EQUAL(tty && !(term && std::string(term) == "dumb"), colour_wanted(fd));
    setenv("CLICOLOR_FORCE", "1", 1);
    CHECK(colour_wanted(fd));
    setenv("NO_COLOR", "1", 1);  // NO_COLOR wins
    CHECK_FALSE(colour_wanted(fd));
    setenv("NO_COLOR", "", 1);  // empty: as if unset
    CHECK(colour_wanted(fd));
    unsetenv("NO_COLOR");
    unsetenv("CLICOLOR_FORCE");
}

TEST(BoardMeta, FindersByIdNameOrEmail) {
    BoardView b = labelled_board();
    STRCMP_EQUAL("clabel1", find_label(b.labels, "URGENT").value().id.c_str());
    STRCMP_EQUAL("clabel2", find_label(b.labels, "clabel2").value().id.c_str());
    CHECK_EQUAL(kUsage, find_label(b.labels, "nope").failure().exit_code);
    STRCMP_EQUAL("cms1", find_milestone(b.milestones, "v1.0").value().id.c_str());
    STRCMP_EQUAL("cuser2", find_member(b.members, "Bob@Example.org").value().user_id.c_str());
    CHECK_FALSE(find_member(b.members, "carol@example.org").ok());
    b.labels.push_back({"clabel4", "Urgent", "blue"});
    CHECK_EQUAL(kUsage, find_label(b.labels, "urgent").failure().exit_code);  // ambiguous: use the id
}
