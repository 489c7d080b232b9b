// Shared by the client crypto unit tests and the interop tool: check a cases
// document (t/vectors/client-crypto.json format, see t/vectors/README.md)
// against client/crypto/, and produce fresh random cases in the same format.
#pragma once

#include <jansson.h>

#include <functional>
#include <string>

namespace mskanban::testing {

using Report = std::function<void(bool ok, const std::string &name)>;

// Check one section ("kdf", "envelopes", ...) of `doc`; calls `report` per
// case. Returns the number of failures.
int check_section(json_t *doc, const std::string &section, const Report &report);
// All sections.
int check_all(json_t *doc, const Report &report);

// Fresh random cases made by the C++ library (new reference to a JSON object).
json_t *make_fresh_cases();

}  // namespace mskanban::testing
