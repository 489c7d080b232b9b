// The plaintext rules of issue 11's client parts: custom field values checked
// per type before encryption (client/cli/field_value.hpp), dropdown option
// lists, @email mentions (mentions.hpp) and the card template body
// (template_body.hpp), each round-tripped and refused when malformed.
#include <string>
#include <vector>

#include "cli/board_data.hpp"
#include "cli/field_value.hpp"
#include "cli/mentions.hpp"
#include "cli/template_body.hpp"

#include <CppUTest/TestHarness.h>

using namespace mskanban::cli;

namespace {

std::string input(const std::string &type, const std::string &typed, const std::vector<std::string> &options = {}) {
    auto r = field_input(type, typed, options);
    return r ? r.value() : "ERR";
}

}  // namespace

TEST_GROUP(FieldValue) {};

TEST(FieldValue, TypesAreTheApis) {
    for (const char *t : {"text", "number", "date", "url", "checkbox", "dropdown"}) CHECK(known_field_type(t));
    CHECK_FALSE(known_field_type("Text"));
    CHECK_FALSE(known_field_type("email"));
}

TEST(FieldValue, NumbersAreDecimals) {
    for (const char *ok : {"0", "42", "-3.5", "1e6", "2.50E-3"}) STRCMP_EQUAL(ok, input("number", ok).c_str());
    for (const char *bad : {"", "01", "1.", ".5", "+1", "1,5", "NaN", "0x10", " 1", "1e"})
        STRCMP_EQUAL("ERR", input("number", bad).c_str());
}

TEST(FieldValue, DatesAreCalendarDays) {
    STRCMP_EQUAL("2026-06-01", input("date", "2026-06-01").c_str());
    STRCMP_EQUAL("2024-02-29", input("date", "2024-02-29").c_str());
    for (const char *bad : {"2026-02-29", "1900-02-29", "2026-13-01", "2026-04-31", "2026-6-1", "2026-06-01T00:00:00Z", "tomorrow"})
        STRCMP_EQUAL("ERR", input("date", bad).c_str());
    STRCMP_EQUAL("2000-02-29", input("date", "2000-02-29").c_str());
}

TEST(FieldValue, UrlsAreHttpWithAHost) {
    STRCMP_EQUAL("https://example.com/a?b=c", input("url", "https://example.com/a?b=c").c_str());
    STRCMP_EQUAL("HTTP://x", input("url", "HTTP://x").c_str());
    for (const char *bad : {"example.com", "javascript:alert(1)", "ftp://x", "https://", "https:///path", "https://a b", "https://a\x1b[2J"})
        STRCMP_EQUAL("ERR", input("url", bad).c_str());
}

TEST(FieldValue, CheckboxesAreTrueOrFalse) {
    for (const char *t : {"true", "yes", "ON", "1", "x"}) STRCMP_EQUAL("true", input("checkbox", t).c_str());
    for (const char *f : {"false", "No", "off", "0"}) STRCMP_EQUAL("false", input("checkbox", f).c_str());
    STRCMP_EQUAL("ERR", input("checkbox", "maybe").c_str());
    STRCMP_EQUAL("[x]", field_display("checkbox", "true", {}).c_str());
    STRCMP_EQUAL("[ ]", field_display("checkbox", "false", {}).c_str());
}

TEST(FieldValue, DropdownsTakeAnOptionByItsExactName) {
    std::vector<std::string> opts = {"Low", "High"};
    STRCMP_EQUAL("High", input("dropdown", "high", opts).c_str());
    STRCMP_EQUAL("Low", input("dropdown", "Low", opts).c_str());
    STRCMP_EQUAL("ERR", input("dropdown", "Medium", opts).c_str());
    STRCMP_EQUAL("x", input("dropdown", "x", {"X", "x"}).c_str());      // the exact spelling wins
    STRCMP_EQUAL("ERR", input("dropdown", "ab", {"Ab", "aB"}).c_str());  // else it must be unambiguous
}

TEST(FieldValue, ValuesThatDoNotFitTheirTypeAreMarked) {
    STRCMP_EQUAL("2026-06-01", field_display("date", "2026-06-01", {}).c_str());
    STRCMP_EQUAL("soon (not a valid date)", field_display("date", "soon", {}).c_str());
    STRCMP_EQUAL("yes (not a valid checkbox)", field_display("checkbox", "yes", {}).c_str());
    STRCMP_EQUAL("Mid (not a valid dropdown)", field_display("dropdown", "Mid", {"Low"}).c_str());
    STRCMP_EQUAL("anything at all", field_display("text", "anything at all", {}).c_str());
}

TEST(FieldValue, OptionListsRoundTrip) {
    auto split = split_options(" Low, Medium ,High ");
    CHECK(split.ok());
    std::string plain = options_plaintext(split.value());
    STRCMP_EQUAL("[\"Low\",\"Medium\",\"High\"]", plain.c_str());
    auto back = parse_options(plain);
    CHECK(back.ok());
    CHECK(back.value() == split.value());
    CHECK_FALSE(split_options("a,,b").ok());
    CHECK_FALSE(split_options("a,A").ok());
    CHECK_FALSE(parse_options("[\"a\",\"a\"]").ok());
    CHECK_FALSE(parse_options("[\"\"]").ok());
    CHECK_FALSE(parse_options("{\"a\":1}").ok());
    CHECK_FALSE(parse_options("[1]").ok());
    CHECK(parse_options("[\"\\u00e9t\\u00e9\"]").ok());
}

TEST_GROUP(Mentions) {};

TEST(Mentions, WordsStartingWithAtThatHoldAnAddress) {
    auto m = mentioned_emails("@Bob@Example.com please look, and (@carol@x.org). Not mail@x.org or @bob nor @bob@example.com again");
    CHECK_EQUAL(2u, m.size());
    STRCMP_EQUAL("bob@example.com", m[0].c_str());
    STRCMP_EQUAL("carol@x.org", m[1].c_str());
    CHECK(mentioned_emails("no mentions @ all @x@").empty());
}

TEST(Mentions, ResolvedToMemberIdsOrRefused) {
    std::vector<MemberView> members = {{"cbob", "bob@example.com", "member"}, {"ccarol", "Carol@x.org", "owner"}};
    auto ids = resolve_mentions({"carol@x.org", "bob@example.com"}, members);
    CHECK(ids.ok());
    CHECK(ids.value() == std::vector<std::string>({"ccarol", "cbob"}));
    auto bad = resolve_mentions({"eve@evil.example"}, members);
    CHECK_FALSE(bad.ok());
    CHECK_EQUAL(kUsage, bad.failure().exit_code);
}

TEST_GROUP(TemplateBody) {};

TEST(TemplateBody, RoundTripsExactly) {
    TemplateBody t;
    t.name = "Bug";
    t.title = "Bug: \x1b[2J";
    t.description = "Steps\nto reproduce";
    t.checklists = {{"Triage", {"Reproduce", "Assign"}}, {"Empty", {}}};
    t.label_ids = {"cabc"};
    auto back = parse_template(template_plaintext(t));
    CHECK(back.ok());
    STRCMP_EQUAL(t.name.c_str(), back.value().name.c_str());
    STRCMP_EQUAL(t.title.c_str(), back.value().title.c_str());
    STRCMP_EQUAL(t.description.c_str(), back.value().description.c_str());
    CHECK_EQUAL(2u, back.value().checklists.size());
    CHECK(back.value().checklists[0].items == t.checklists[0].items);
    CHECK(back.value().label_ids == t.label_ids);
    t.description.clear();
    CHECK(template_plaintext(t).find("\"description\":null") != std::string::npos);
}

TEST(TemplateBody, AnythingElseIsRefused) {
    for (const char *bad : {"", "[]", "{}", "{\"v\":2,\"name\":\"a\",\"title\":\"a\",\"description\":null,\"checklists\":[],\"labelIds\":[]}",
                            "{\"v\":1,\"name\":\"a\",\"title\":1,\"description\":null,\"checklists\":[],\"labelIds\":[]}",
                            "{\"v\":1,\"name\":\"a\",\"title\":\"a\",\"description\":null,\"checklists\":[{\"title\":\"x\",\"items\":[true]}],\"labelIds\":[]}",
                            "{\"v\":1,\"name\":\"a\",\"title\":\"a\",\"description\":null,\"checklists\":[],\"labelIds\":\"x\"}"}) {
        auto r = parse_template(bad);
        CHECK_FALSE(r.ok());
        CHECK_EQUAL(kDecrypt, r.failure().exit_code);
    }
    CHECK(parse_template("{\"v\":1,\"name\":\"a\",\"title\":\"a\",\"description\":null,\"checklists\":[],\"labelIds\":[]}").ok());
}
