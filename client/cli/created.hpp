// Creating objects whose ciphertext is bound to their own id.
//
// Names and titles are encrypted with the object's id in the associated data
// (card:<id>, board:<id>, ...), so the id must exist before the request: the
// CLI generates it (keyring.hpp new_id) and sends it as "id" in the create
// body. If a server ignored it and assigned another id, the stored ciphertext
// would never decrypt: check_created_id reports that instead of going on.
#pragma once

#include <string>

#include "api.hpp"
#include "json.hpp"
#include "outcome.hpp"

namespace mskanban::cli {

// The created object from a 201 body ({"card":{...}} or bare), checked to
// carry the id we sent.
Outcome<Json> created_object(const Json &body, const char *key, const std::string &sent_id);

// POSTs a create body that carries sent_id and returns the created object, checked as
// created_object does.
Outcome<Json> post_created(Api &api, const std::string &path, const Json &body, const char *key,
                           const std::string &sent_id);

}  // namespace mskanban::cli
