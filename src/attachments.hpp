// Attachments on a card: an encrypted file (a client-side secretstream, stored by
// attachment_store.hpp) and one envelope with its name and media type (enc_meta, AAD
// `attachment:<id>`, so the client chooses the id). The server knows the size, the
// card, the uploader and the time. Members upload and delete (viewers get 403), every
// member downloads; a non-member gets the same 404 as for a missing id. Limits: the
// file size (attachment_max_bytes) and the workspace quota (413), free disk (507), all
// checked before the file is moved into storage.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config.hpp"
#include "db.hpp"
#include "error.hpp"

namespace msk {

class Redis;

struct Attachment {
    std::string id, card_id;
    std::optional<std::string> uploader_id;
    std::string enc_meta;
    int64_t size = 0;
    std::string storage_name;  // never on the wire
    std::string created_at;
};

struct AttachmentUpload {
    std::string id;         // client-chosen (the AAD names it)
    std::string enc_meta;
    std::string body_file;  // the uploaded stream, moved into storage on success
    std::string storage_name;  // its name in storage: the same for a retry of the request
};

Result<std::vector<Attachment>> list_attachments(Tx &tx, const std::string &user_id, const std::string &card_id);
// Checks access, size, quota and free space, inserts the row, records ATTACHMENT_ADDED
// and, last, renames the upload into storage. An error leaves no row and no stored
// file; a commit that fails afterwards leaves an unreferenced file for `mskanbanctl gc`.
Result<Attachment> create_attachment(Tx &tx, Redis &redis, const Config &cfg, const std::string &user_id,
                                     const std::string &card_id, const AttachmentUpload &in);
// The attachment, after the read check, for a download.
Result<Attachment> attachment_for_download(Tx &tx, const std::string &user_id, const std::string &id);
// Deletes the row and records ATTACHMENT_REMOVED; the file is unlinked after commit.
Status delete_attachment(Tx &tx, Redis &redis, const Config &cfg, const std::string &user_id, const std::string &id);

// Unlinks up to `batch` files queued by deleted cards, boards and workspaces, in its own
// transaction on `conn`; returns how many. For mskanbanctl gc and the workers.
long purge_attachment_trash(pqxx::connection &conn, const Config &cfg, long batch);

}  // namespace msk
