// /cards/:id/attachments, /attachments/:id and /attachments/:id/meta: upload (the body arrives as a file nginx
// wrote; headers X-Attachment-Id and X-Attachment-Meta carry the id and the encrypted
// name and type), list, download (X-Accel-Redirect or X-Sendfile: the web server sends
// the file, never this worker), metadata and delete.
#include "attachment_store.hpp"
#include "attachments.hpp"
#include "input.hpp"
#include "kanban_io.hpp"

namespace msk {

namespace {

constexpr size_t kMetaBytes = 4096;

json_t *attachment_json(const Attachment &a) {
    return json_pack("{s:s, s:s, s:o, s:s, s:I, s:s}", "id", a.id.c_str(), "cardId", a.card_id.c_str(),
                     "uploaderId", jstr_or_null(a.uploader_id), "encMeta", a.enc_meta.c_str(), "size",
                     static_cast<json_int_t>(a.size), "createdAt", a.created_at.c_str());
}

// The upload's id and envelope from its headers; 400 naming the header.
Result<AttachmentUpload> read_upload(const Request &req) {
    AttachmentUpload in;
    in.id = req.header("x-attachment-id");
    if (!is_valid_id(in.id)) return bad_request("header X-Attachment-Id must be the attachment's id (the client chooses it)");
    in.enc_meta = req.header("x-attachment-meta");
    std::string problem = envelope_problem(in.enc_meta, kMetaBytes);
    if (!problem.empty()) return bad_request("header X-Attachment-Meta " + problem);
    in.body_file = req.body_file;
    in.storage_name = req.body_storage_name;
    return in;
}

Result<Response> post_attachment(Ctx &ctx) {
    if (ctx.req.body_storage_name.empty()) ctx.req.body_storage_name = new_storage_name();
    auto in = read_upload(ctx.req);
    if (!in) return in.error();
    if (in->body_file.empty()) {
        if (ctx.svc.cfg.attachment_dir.empty()) return unavailable("attachments are not enabled on this server");
        return bad_request("the upload was not received");
    }
    auto a = create_attachment(ctx.tx(), ctx.svc.redis, ctx.svc.cfg, ctx.auth->user_id, ctx.req.param("id"), *in);
    if (!a) return a.error();
    return wrapped(201, "attachment", attachment_json(*a));
}

Result<Response> get_attachments(Ctx &ctx) {
    auto list = list_attachments(ctx.tx(), ctx.auth->user_id, ctx.req.param("id"));
    if (!list) return list.error();
    json_t *arr = json_array();
    for (const auto &a : *list) json_array_append_new(arr, attachment_json(a));
    return json_response(200, json_pack("{s:o}", "attachments", arr));
}

// The web server sends the bytes (with ranges); this answer carries no body.
Result<Response> download(Ctx &ctx) {
    const Config &cfg = ctx.svc.cfg;
    if (cfg.attachment_dir.empty()) return unavailable("attachments are not enabled on this server");
    auto a = attachment_for_download(ctx.tx(), ctx.auth->user_id, ctx.req.param("id"));
    if (!a) return a.error();
    Response r;
    r.headers.push_back({"Content-Type", "application/octet-stream"});
    r.headers.push_back({"Content-Disposition", "attachment"});
    if (cfg.attachment_delivery == "x-sendfile")
        r.headers.push_back({"X-Sendfile", storage_path(cfg, a->storage_name)});
    else
        r.headers.push_back({"X-Accel-Redirect", cfg.attachment_accel_prefix + a->storage_name});
    return r;
}

// The attachment's metadata: a client that has only its id finds the card (and so
// the key) here.
Result<Response> get_meta(Ctx &ctx) {
    auto a = attachment_for_download(ctx.tx(), ctx.auth->user_id, ctx.req.param("id"));
    if (!a) return a.error();
    return wrapped(200, "attachment", attachment_json(*a));
}

Result<Response> delete_one(Ctx &ctx) {
    auto st = delete_attachment(ctx.tx(), ctx.svc.redis, ctx.svc.cfg, ctx.auth->user_id, ctx.req.param("id"));
    if (!st) return st.error();
    return no_content();
}

}  // namespace

std::vector<Route> attachment_routes() {
    return {
        {"POST", "/cards/:id/attachments", post_attachment, Access::session, "upload", Replay::store, true},
        {"GET", "/cards/:id/attachments", get_attachments, Access::session, "read"},
        {"GET", "/attachments/:id", download, Access::session, "read"},
        {"GET", "/attachments/:id/meta", get_meta, Access::session, "read"},
        {"DELETE", "/attachments/:id", delete_one, Access::session, "mutation"},
    };
}

}  // namespace msk
