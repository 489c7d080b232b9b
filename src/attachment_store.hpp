// Attachment files on local disk: one flat directory (attachment_dir) of files named by
// 32 random hex digits, so nothing in a path says what a file is. The worker never reads
// or writes a file's bytes on the nginx path: nginx writes an upload to a temporary file
// and the worker renames it in (same filesystem, no copy); nginx sends it back
// (X-Accel-Redirect). What the server may check without the key is the size: a file is a
// libsodium secretstream (client/README.md), so its length follows from the plaintext's.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config.hpp"
#include "error.hpp"

namespace msk {

// The stream format (client/README.md): a 24-byte header, then the plaintext in chunks
// of 64 KiB, each followed by its 17 bytes of tag; the last chunk (shorter, possibly
// empty) carries TAG_FINAL. An empty file is the header and one empty final chunk.
constexpr uint64_t kStreamHeaderBytes = 24;
constexpr uint64_t kStreamChunkBytes = 64 * 1024;
constexpr uint64_t kStreamChunkOverhead = 17;

// The stream length of a `plain`-byte file.
uint64_t secretstream_bytes(uint64_t plain);
// The smallest stream (an empty file).
constexpr uint64_t kStreamMinBytes = kStreamHeaderBytes + kStreamChunkOverhead;

// A fresh storage name: 32 lowercase hex digits from 16 random bytes.
std::string new_storage_name();
bool is_storage_name(const std::string &name);
std::string storage_path(const Config &cfg, const std::string &name);

// The size of the uploaded file at `path`: a regular file (not a link), else 400.
Result<uint64_t> upload_size(const std::string &path);
// The same for an upload on its way to storage name `name`: at `from`, or, when an
// earlier attempt of this request already moved it (a retry after a serialization
// failure or deadlock), at its storage path.
Result<uint64_t> upload_size(const Config &cfg, const std::string &from, const std::string &name);
// 507 INSUFFICIENT_STORAGE when attachment_dir has less than attachment_min_free_bytes
// free; 503 when it cannot be examined.
Status check_free_space(const Config &cfg);
// Moves `from` to storage name `name` with one rename(2). A different filesystem
// (EXDEV) or a permission problem is a configuration error: logged with what to fix,
// answered 503. A missing source (the upload vanished) is a 400, unless `name` is already
// in storage: the step is safe to run twice in one request (the retry after a
// serialization failure or deadlock reuses the name, and a storage name is 128 random
// bits, so a file under it is this request's). The file is never copied and no worker
// holds it open. (Not link(2): with fs.protected_hardlinks the workers may not link
// nginx's 0600 temporary file, which they may rename.)
Status move_into_storage(const Config &cfg, const std::string &from, const std::string &name);
// Unlinks a stored file; a file already gone is fine. False (and a log line) on
// another error.
bool remove_stored(const Config &cfg, const std::string &name);

// For `mskanbanctl gc`: names in attachment_dir (storage names only) whose last change
// is at least `min_age_s` old; files in attachment_dir/.incoming (uploads spooled by
// a worker without nginx) that old are listed with the ".incoming/" prefix.
std::vector<std::string> stored_names_older_than(const Config &cfg, long min_age_s);
// Removes a path below attachment_dir (as listed above); false on failure.
bool remove_below_storage(const Config &cfg, const std::string &rel);
// Does a stored file of this name exist, and how large is it? -1 when missing.
int64_t stored_size(const Config &cfg, const std::string &name);

}  // namespace msk
