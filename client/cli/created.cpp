// Created-object id check (see created.hpp).
#include "created.hpp"

namespace mskanban::cli {

Outcome<Json> created_object(const Json &body, const char *key, const std::string &sent_id) {
    Json o = unwrap_object(body, key);
    std::string got = o.str("id");
    if (got != sent_id)
        return fail(kGeneral, std::string("the server created the ") + key + " as \"" + got + "\" instead of the id \"" +
                                  sent_id + "\" the client chose; its encrypted fields are bound to the chosen id and "
                                  "would not decrypt (the server must accept client-chosen ids)");
    return o;
}

Outcome<Json> post_created(Api &api, const std::string &path, const Json &body, const char *key,
                           const std::string &sent_id) {
    auto r = api.post(path, body);
    if (!r) return r.failure();
    return created_object(r.value(), key, sent_id);
}

}  // namespace mskanban::cli
