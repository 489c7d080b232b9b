// Validation helpers shared by handlers: envelopes, fixed-size base64url fields and ids,
// each failing with a 400 that names the field.
#pragma once

#include "../routes.hpp"
#include "envelope.hpp"
#include "ids.hpp"

namespace msk {

// Default ciphertext bound for names and titles, and for larger texts.
constexpr size_t kSmallEnvelopeBytes = 4096;
constexpr size_t kLargeEnvelopeBytes = 256 * 1024;

Result<std::string> req_envelope(const json_t *obj, const char *name, size_t max_ct_bytes);
Result<std::string> req_b64url_bytes(const json_t *obj, const char *name, size_t bytes);
// A path param or field that must be an id; a malformed id is a 404 for path params
// (it cannot name anything) and a 400 for body fields.
Status check_path_id(const std::string &id);
Result<JsonPtr> body_object(const Request &req);
// The page size of a list: query parameter "limit", 1..max_limit, else `def`; 400 otherwise.
Result<int> page_limit(const Request &req, int def, int max_limit);

}  // namespace msk
