// The plaintext of a card template: one JSON document, encrypted as a whole
// under the Board Key bound to template:<id> (docs/client.md, "Plaintext
// formats"):
//
//   {"v":1, "name":"Bug report", "title":"Bug: ", "description":"Steps..." | null,
//    "checklists":[{"title":"Triage", "items":["Reproduce","Assign"]}],
//    "labelIds":["c..."]}
//
// Item done flags are not kept (a new card starts unchecked); labels are the
// board's label ids. Reading is strict: a body that is not this shape is
// refused as if it had failed to decrypt.
#pragma once

#include <string>
#include <vector>

#include "outcome.hpp"

namespace mskanban::cli {

struct TemplateChecklist {
    std::string title;
    std::vector<std::string> items;
};

struct TemplateBody {
    std::string name, title, description;  // description "" = none
    std::vector<TemplateChecklist> checklists;
    std::vector<std::string> label_ids;
};

std::string template_plaintext(const TemplateBody &t);
Outcome<TemplateBody> parse_template(const std::string &plaintext);

}  // namespace mskanban::cli
