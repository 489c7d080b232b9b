// Wire shapes of the kanban resources (one JSON builder per object, so every route
// answers with the same fields) and the request-field readers they share: client-chosen
// ids, neighbour ids, wrapped keys, ISO 8601 dates.
#pragma once

#include "../routes.hpp"
#include "activity.hpp"
#include "boards.hpp"
#include "cards.hpp"
#include "columns.hpp"
#include "labels.hpp"
#include "list_versions.hpp"
#include "workspaces.hpp"

namespace msk {

json_t *workspace_json(const Workspace &w);
json_t *member_json(const Member &m);
json_t *board_json(const Board &b);
json_t *column_json(const Column &c);
json_t *card_json(const Card &c);
json_t *label_json(const Label &l);

// {"<key>": <obj>} with `status`.
Response wrapped(int status, const char *key, json_t *obj);
// Adds the list's ETag to a 200 answer.
Response with_etag(Response res, const std::string &etag);
// 304 Not Modified with the list's ETag and no body.
Response not_modified(const std::string &etag);

// The ETag of the request's board's (param "id") list `kind`, after the read check
// (404 for a non-member); `changed` is false when If-None-Match names it (answer 304).
struct ListTag {
    std::string etag;
    bool changed = true;
};
Result<ListTag> board_list_tag(Ctx &ctx, const char *kind);

// The id a card link names: field `field` of the JSON body or, when `query_too`, the
// query parameter of that name (for a DELETE whose client cannot send a body).
Result<std::string> link_target(const Request &req, const char *field, bool query_too);

// The optional client-chosen "id" of a new object: a fresh id when absent, 400 when malformed.
Result<std::string> new_object_id(const json_t *body);
// An optional field naming another object by id; 400 when present and malformed.
Result<std::optional<std::string>> opt_id_field(const json_t *body, const char *name);
// The optional neighbour ids `after_field` / `before_field` of a placement among
// siblings (fractional keys); `move` is set when either is given.
Status read_place(const json_t *body, const char *after_field, const char *before_field,
                  std::optional<std::string> &after, std::optional<std::string> &before, bool &move);
// A Workspace Key copy: an envelope (wrapped by the owner's User Symmetric Key) or a
// base64url sealed box (crypto_box_seal to an invitee's X25519 key).
Result<std::string> req_wrapped_key(const json_t *body, const char *name);
// An optional ISO 8601 date that may be null (to clear it).
Result<Nullable> nullable_time(const json_t *body, const char *name);
// 400 when a PATCH body has none of `fields`.
Status require_any(const json_t *body, std::initializer_list<const char *> fields);

}  // namespace msk
