// Attachments (see attachments.hpp). Queries in src/queries/attachments.sql.
#include "attachments.hpp"

#include "attachment_store.hpp"
#include "card_parts.hpp"
#include "log.hpp"

namespace msk {

namespace {

Attachment attachment_from(const pqxx::row &r) {
    Attachment a;
    a.id = r["id"].as<std::string>();
    a.card_id = r["card_id"].as<std::string>();
    a.uploader_id = opt_str(r, "uploader_id");
    a.enc_meta = r["enc_meta"].as<std::string>();
    a.size = r["size_bytes"].as<int64_t>();
    a.storage_name = r["storage_name"].as<std::string>();
    a.created_at = r["created_at"].as<std::string>();
    return a;
}

Status storage_configured(const Config &cfg) {
    if (cfg.attachment_dir.empty()) return unavailable("attachments are not enabled on this server");
    return ok_status();
}

// Size and quota: 413 naming the limit. `used` is read under the workspace's upload lock.
Status check_limits(Tx &tx, const Config &cfg, const std::string &workspace_id, uint64_t size) {
    uint64_t max_stream = secretstream_bytes(static_cast<uint64_t>(cfg.attachment_max_bytes));
    if (size > max_stream)
        return too_large("attachments are limited to " + std::to_string(cfg.attachment_max_bytes) + " bytes");
    if (size < kStreamMinBytes) return bad_request("the body is not an encrypted attachment stream");
    if (cfg.attachment_workspace_quota_bytes == 0) return ok_status();
    tx.exec_prepared("attachment_quota_lock", workspace_id);
    auto used = tx.exec_prepared("attachment_workspace_usage", workspace_id)[0]["used"].as<int64_t>();
    if (static_cast<uint64_t>(used) + size > static_cast<uint64_t>(cfg.attachment_workspace_quota_bytes))
        return too_large("the workspace's attachment quota of " + std::to_string(cfg.attachment_workspace_quota_bytes) +
                         " bytes would be exceeded");
    return ok_status();
}

}  // namespace

Result<std::vector<Attachment>> list_attachments(Tx &tx, const std::string &user_id, const std::string &card_id) {
    auto a = authorize_card_parts(tx, user_id, card_id, Need::read);
    if (!a) return a.error();
    std::vector<Attachment> out;
    for (const auto &row : tx.exec_prepared("attachments_of_card", card_id)) out.push_back(attachment_from(row));
    return out;
}

Result<Attachment> create_attachment(Tx &tx, Redis &redis, const Config &cfg, const std::string &user_id,
                                     const std::string &card_id, const AttachmentUpload &in) {
    auto a = authorize_card_parts(tx, user_id, card_id, Need::write);
    if (!a) return a.error();
    auto st = storage_configured(cfg);
    if (!st) return st.error();
    const std::string &name = in.storage_name;
    if (!is_storage_name(name)) return unavailable("attachment storage is unavailable; try again later");
    auto size = upload_size(cfg, in.body_file, name);
    if (!size) return size.error();
    st = check_limits(tx, cfg, a->grant.workspace_id, *size);
    if (!st) return st.error();
    st = check_free_space(cfg);
    if (!st) return st.error();
    if (tx.exec_prepared("attachment_insert", in.id, card_id, user_id, in.enc_meta, static_cast<int64_t>(*size), name)
            .empty())
        return conflict("an attachment with this id already exists");
    Attachment att = attachment_from(tx.exec_prepared("attachment_by_id", in.id)[0]);
    card_part_event(tx, redis, *a, user_id, "ATTACHMENT_ADDED", "attachment", att.id,
                    json_pack("{s:I}", "size", static_cast<json_int_t>(att.size)));
    st = move_into_storage(cfg, in.body_file, name);
    if (!st) return st.error();
    return att;
}

Result<Attachment> attachment_for_download(Tx &tx, const std::string &user_id, const std::string &id) {
    auto a = authorize_card_part(tx, user_id, "attachment_card", id, Need::read, "attachment");
    if (!a) return a.error();
    auto r = tx.exec_prepared("attachment_by_id", id);
    if (r.empty()) return not_found("no such attachment");
    return attachment_from(r[0]);
}

Status delete_attachment(Tx &tx, Redis &redis, const Config &cfg, const std::string &user_id, const std::string &id) {
    auto a = authorize_card_part(tx, user_id, "attachment_card", id, Need::write, "attachment");
    if (!a) return a.error();
    auto r = tx.exec_prepared("attachment_delete", id);
    if (r.empty()) return not_found("no such attachment");
    std::string name = r[0]["storage_name"].as<std::string>();
    tx.exec_prepared("attachment_untrash", name);
    card_part_event(tx, redis, *a, user_id, "ATTACHMENT_REMOVED", "attachment", id);
    const Config *c = &cfg;
    tx.after_commit([c, name] { remove_stored(*c, name); });
    return ok_status();
}

long purge_attachment_trash(pqxx::connection &conn, const Config &cfg, long batch) {
    if (cfg.attachment_dir.empty()) return 0;
    pqxx::work tx(conn);
    std::string done;
    long n = 0;
    for (const auto &row : tx.exec_prepared("attachment_trash_batch", batch)) {
        std::string name = row["storage_name"].as<std::string>();
        if (!remove_stored(cfg, name)) continue;
        done += (done.empty() ? "" : ",") + name;
        n++;
    }
    if (n) tx.exec_prepared("attachment_trash_done", done);
    tx.commit();
    return n;
}

}  // namespace msk
