// JSON builders and field readers for the kanban handlers (see kanban_io.hpp).
#include "kanban_io.hpp"

#include "base64url.hpp"
#include "input.hpp"
#include "timeutil.hpp"

namespace msk {

namespace {

json_t *opt_int_json(const std::optional<int64_t> &v) { return v ? json_integer(*v) : json_null(); }

json_t *id_array(const std::vector<std::string> &ids) {
    json_t *arr = json_array();
    for (const auto &id : ids) json_array_append_new(arr, json_string(id.c_str()));
    return arr;
}

// crypto_box_seal adds 48 bytes to the 32-byte key and its bound label.
constexpr size_t kSealedMinBytes = 48 + 32;
constexpr size_t kSealedMaxBytes = 48 + 32 + 128;

}  // namespace

json_t *workspace_json(const Workspace &w) {
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", w.id.c_str(), "encName", w.enc_name.c_str(), "role",
                     w.role.c_str(), "encWorkspaceKey", w.enc_workspace_key.c_str(), "createdAt",
                     w.created_at.c_str(), "updatedAt", w.updated_at.c_str());
}

json_t *member_json(const Member &m) {
    return json_pack("{s:s, s:s, s:s, s:s, s:o, s:s}", "userId", m.user_id.c_str(), "email", m.email.c_str(),
                     "publicKey", m.public_key.c_str(), "role", m.role.c_str(), "addedBy", jstr_or_null(m.added_by),
                     "createdAt", m.created_at.c_str());
}

json_t *board_json(const Board &b) {
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", b.id.c_str(), "workspaceId", b.workspace_id.c_str(),
                     "encName", b.enc_name.c_str(), "encBoardKey", b.enc_board_key.c_str(), "createdAt",
                     b.created_at.c_str(), "updatedAt", b.updated_at.c_str());
}

json_t *column_json(const Column &c) {
    return json_pack("{s:s, s:s, s:s, s:s, s:o, s:b, s:s, s:s}", "id", c.id.c_str(), "boardId", c.board_id.c_str(),
                     "encName", c.enc_name.c_str(), "position", c.position.c_str(), "wipLimit",
                     opt_int_json(c.wip_limit), "isDone", c.is_done, "createdAt", c.created_at.c_str(), "updatedAt",
                     c.updated_at.c_str());
}

json_t *card_json(const Card &c) {
    json_t *card = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:o, s:b, s:o, s:o, s:o, s:o, s:s, s:s}", "id", c.id.c_str(),
                     "boardId", c.board_id.c_str(), "columnId", c.column_id.c_str(), "encTitle", c.enc_title.c_str(),
                     "encDescription", jstr_or_null(c.enc_description), "position", c.position.c_str(), "dueAt",
                     jstr_or_null(c.due_at), "startAt", jstr_or_null(c.start_at), "archived", c.archived,
                     "milestoneId", jstr_or_null(c.milestone_id), "labelIds", id_array(c.label_ids),
                     "assigneeIds", id_array(c.assignee_ids), "createdBy", jstr_or_null(c.created_by),
                     "createdAt", c.created_at.c_str(), "updatedAt", c.updated_at.c_str());
    json_object_set_new(card, "checklist", json_pack("{s:I, s:I}", "done", static_cast<json_int_t>(c.checklist_done),
                                                     "total", static_cast<json_int_t>(c.checklist_total)));
    json_t *fields = json_object();
    for (const auto &f : c.custom_fields) json_object_set_new(fields, f.first.c_str(), json_string(f.second.c_str()));
    json_object_set_new(card, "customFields", fields);
    return card;
}

json_t *label_json(const Label &l) {
    return json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:s}", "id", l.id.c_str(), "boardId", l.board_id.c_str(),
                     "encName", l.enc_name.c_str(), "colour", l.colour.c_str(), "createdBy",
                     jstr_or_null(l.created_by), "createdAt", l.created_at.c_str(), "updatedAt",
                     l.updated_at.c_str());
}

Response wrapped(int status, const char *key, json_t *obj) { return json_response(status, json_pack("{s:o}", key, obj)); }

Response with_etag(Response res, const std::string &etag) {
    res.headers.emplace_back("ETag", etag);
    return res;
}

Response not_modified(const std::string &etag) {
    Response res;
    res.status = 304;
    res.headers.emplace_back("ETag", etag);
    return res;
}

Result<ListTag> board_list_tag(Ctx &ctx, const char *kind) {
    const std::string &board_id = ctx.req.param("id");
    auto version = board_lists_version(ctx.tx(), ctx.auth->user_id, board_id);
    if (!version) return version.error();
    ListTag tag;
    tag.etag = list_etag(kind, "", board_id, *version);
    tag.changed = !etag_matches(ctx.req.header("if-none-match"), tag.etag);
    return tag;
}

Result<std::string> link_target(const Request &req, const char *field, bool query_too) {
    if (query_too && req.body.empty()) {
        auto q = req.query_param(field);
        if (!q || !is_valid_id(*q)) return bad_request(std::string("\"") + field + "\" is required (an id)");
        return *q;
    }
    auto body = body_object(req);
    if (!body) return body.error();
    auto id = opt_id_field(body->get(), field);
    if (!id) return id.error();
    if (!*id) return bad_request(std::string("\"") + field + "\" is required");
    return **id;
}

Result<std::string> new_object_id(const json_t *body) {
    auto id = opt_id_field(body, "id");
    if (!id) return id.error();
    return id.value() ? **id : new_id();
}

Result<std::optional<std::string>> opt_id_field(const json_t *body, const char *name) {
    auto s = opt_string(body, name, 64);
    if (!s) return s.error();
    if (*s && !is_valid_id(**s)) return bad_request(std::string("\"") + name + "\" is not a valid id");
    return s;
}

Status read_place(const json_t *body, const char *after_field, const char *before_field,
                  std::optional<std::string> &after, std::optional<std::string> &before, bool &move) {
    auto a = opt_id_field(body, after_field);
    if (!a) return a.error();
    auto b = opt_id_field(body, before_field);
    if (!b) return b.error();
    after = *a;
    before = *b;
    move = after || before;
    return ok_status();
}

Result<std::string> req_wrapped_key(const json_t *body, const char *name) {
    auto s = req_string(body, name, kSmallEnvelopeBytes);
    if (!s) return s.error();
    if (s->compare(0, 3, "v1.") == 0) return req_envelope(body, name, 1024);
    auto bytes = b64url_decode(*s);
    if (!bytes || bytes->size() < kSealedMinBytes || bytes->size() > kSealedMaxBytes)
        return bad_request(std::string("\"") + name +
                           "\" must be an envelope or a base64url sealed box of 80 to 208 bytes");
    return s;
}

Result<Nullable> nullable_time(const json_t *body, const char *name) {
    auto n = nullable_string(body, name, 40);
    if (!n) return n.error();
    if (!n->value) return n;
    auto ms = parse_iso8601_ms(*n->value);
    if (!ms)
        return bad_request(std::string("\"") + name + "\" must be an ISO 8601 UTC time such as 2026-05-25T12:34:56.789Z");
    n->value = iso8601_ms(*ms);  // the canonical form PostgreSQL reads back unchanged
    return n;
}

Status require_any(const json_t *body, std::initializer_list<const char *> fields) {
    for (const char *f : fields)
        if (json_object_get(body, f)) return ok_status();
    std::string names;
    for (const char *f : fields) names += (names.empty() ? "" : ", ") + std::string(f);
    return bad_request("nothing to change: send at least one of " + names);
}

}  // namespace msk
