// The decrypted account export as Markdown (see export_doc.hpp). Text is written as it
// was typed; multi-line text is indented under its bullet, so it stays inside it.
#include <sstream>

#include "export_doc.hpp"

namespace mskanban::cli {

namespace {

// `text` with every line after the first indented by `indent`.
std::string indented(const std::string &text, const std::string &indent) {
    std::string out;
    for (char c : text) {
        out += c;
        if (c == '\n') out += indent;
    }
    return out;
}

std::string joined(const Json &arr) {
    std::string s;
    for (size_t i = 0; i < arr.size(); i++) {
        const char *v = json_string_value(arr.at(i).get());
        if (v) s += (s.empty() ? "" : ", ") + std::string(v);
    }
    return s;
}

void card_md(std::ostringstream &o, const Json &card) {
    o << "- **" << indented(card.str("title"), "  ") << "**";
    if (card.boolean("archived")) o << " (archived)";
    o << "\n";
    if (card.has("description")) o << "  " << indented(card.str("description"), "  ") << "\n";
    if (card.has("dueAt")) o << "  - Due: " << card.str("dueAt") << "\n";
    if (card.has("startAt")) o << "  - Start: " << card.str("startAt") << "\n";
    if (card["labels"].size()) o << "  - Labels: " << joined(card["labels"]) << "\n";
    if (card.has("milestone")) o << "  - Milestone: " << card.str("milestone") << "\n";
    if (card["assignees"].size()) o << "  - Assignees: " << joined(card["assignees"]) << "\n";
    Json fields = card["customFields"];
    for (size_t i = 0; i < fields.size(); i++) {
        Json f = fields.at(i);
        o << "  - " << indented(f.has("name") ? f.str("name") : f.str("fieldId"), "    ") << ": "
          << indented(f.has("display") ? f.str("display") : f.str("value"), "    ") << "\n";
    }
    Json lists = card["checklists"];
    for (size_t i = 0; i < lists.size(); i++) {
        Json l = lists.at(i);
        o << "  - Checklist: " << indented(l.str("title"), "    ") << "\n";
        Json items = l["items"];
        for (size_t n = 0; n < items.size(); n++)
            o << "    - [" << (items.at(n).boolean("done") ? "x" : " ") << "] "
              << indented(items.at(n).str("text"), "      ") << "\n";
    }
    Json comments = card["comments"];
    if (comments.size()) o << "  - Comments:\n";
    for (size_t i = 0; i < comments.size(); i++) {
        Json c = comments.at(i);
        std::string who = c.has("author") ? c.str("author") : c.has("authorId") ? c.str("authorId") : "a deleted account";
        o << "    - " << who << ", " << c.str("createdAt") << ": " << indented(c.str("text"), "      ") << "\n";
    }
    Json atts = card["attachments"];
    for (size_t i = 0; i < atts.size(); i++) {
        Json a = atts.at(i);
        std::string name = json_is_object(a["meta"].get()) ? a["meta"].str("name") : a.str("meta");
        o << "  - Attachment: " << indented(name, "    ") << " (" << a.num("size") << " bytes)\n";
    }
}

}  // namespace

std::string export_markdown(const Json &plain) {
    std::ostringstream o;
    Json acc = plain["account"];
    o << "# MSKanban export\n\n"
      << "Account " << acc.str("email") << " (" << acc.str("id") << "), exported " << plain.str("exportedAt") << ".\n";
    Json wss = plain["workspaces"];
    for (size_t w = 0; w < wss.size(); w++) {
        Json ws = wss.at(w);
        o << "\n## " << indented(ws.str("name"), "") << "\n\nRole: " << ws.str("role") << ".";
        Json members = ws["members"];
        if (members.size()) {
            o << " Members:";
            for (size_t i = 0; i < members.size(); i++)
                o << (i ? ", " : " ") << members.at(i).str("email") << " (" << members.at(i).str("role") << ")";
            o << ".";
        }
        o << "\n";
        Json boards = ws["boards"];
        for (size_t b = 0; b < boards.size(); b++) {
            Json board = boards.at(b);
            o << "\n### " << board.str("name") << "\n";
            Json cols = board["columns"];
            for (size_t c = 0; c < cols.size(); c++) {
                Json col = cols.at(c);
                o << "\n#### " << col.str("name");
                if (col.num("wipLimit")) o << " (WIP limit " << col.num("wipLimit") << ")";
                if (col.boolean("isDone")) o << " (done)";
                o << "\n\n";
                Json cards = col["cards"];
                for (size_t n = 0; n < cards.size(); n++) card_md(o, cards.at(n));
            }
        }
    }
    Json errs = plain["decryptErrors"];
    if (errs.size()) {
        o << "\n## Fields that could not be decrypted\n\n";
        for (size_t i = 0; i < errs.size(); i++) o << "- " << json_string_value(errs.at(i).get()) << "\n";
    }
    return o.str();
}

}  // namespace mskanban::cli
