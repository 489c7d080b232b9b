// Attachment files on disk (see attachment_store.hpp).
#include "attachment_store.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "base64url.hpp"
#include "crypto.hpp"
#include "log.hpp"

namespace msk {

uint64_t secretstream_bytes(uint64_t plain) {
    uint64_t chunks = plain == 0 ? 1 : (plain + kStreamChunkBytes - 1) / kStreamChunkBytes;
    return kStreamHeaderBytes + plain + chunks * kStreamChunkOverhead;
}

std::string new_storage_name() { return hex_encode(random_bytes(16)); }

bool is_storage_name(const std::string &name) {
    if (name.size() != 32) return false;
    for (char c : name)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

std::string storage_path(const Config &cfg, const std::string &name) { return cfg.attachment_dir + "/" + name; }

Result<uint64_t> upload_size(const std::string &path) {
    struct stat st;
    if (lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
        log_error("upload body file missing or not a regular file: " + std::string(strerror(errno)));
        return bad_request("the upload was not received");
    }
    return static_cast<uint64_t>(st.st_size);
}

Result<uint64_t> upload_size(const Config &cfg, const std::string &from, const std::string &name) {
    struct stat st;
    if (lstat(from.c_str(), &st) != 0 && errno == ENOENT && is_storage_name(name) &&
        lstat(storage_path(cfg, name).c_str(), &st) == 0 && S_ISREG(st.st_mode))
        return static_cast<uint64_t>(st.st_size);
    return upload_size(from);
}

Status check_free_space(const Config &cfg) {
    struct statvfs vfs;
    if (statvfs(cfg.attachment_dir.c_str(), &vfs) != 0) {
        log_error("attachment_dir " + cfg.attachment_dir + ": " + strerror(errno));
        return unavailable("attachment storage is unavailable; try again later");
    }
    uint64_t free_bytes = static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
    if (free_bytes < static_cast<uint64_t>(cfg.attachment_min_free_bytes)) {
        log_error("attachment_dir " + cfg.attachment_dir + " is full: " + std::to_string(free_bytes) + " bytes free");
        return Error{507, "INSUFFICIENT_STORAGE", "the server has no room for this file; try again later", {}};
    }
    return ok_status();
}

Status move_into_storage(const Config &cfg, const std::string &from, const std::string &name) {
    std::string to = storage_path(cfg, name);
    if (rename(from.c_str(), to.c_str()) == 0) return ok_status();
    int err = errno;
    if (err == ENOENT) {
        struct stat st;
        // Moved by an earlier attempt of this request (see the header).
        if (lstat(to.c_str(), &st) == 0 && S_ISREG(st.st_mode)) return ok_status();
        if (stat(cfg.attachment_dir.c_str(), &st) == 0) return bad_request("the upload was not received");
    }
    std::string why = strerror(err);
    if (err == EXDEV)
        why += ": nginx's client_body_temp_path and attachment_dir must be on one filesystem";
    else if (err == EACCES || err == EPERM)
        why += ": the worker needs write access to nginx's client_body_temp_path and to attachment_dir";
    log_error("cannot move an upload into " + cfg.attachment_dir + ": " + why);
    return unavailable("attachment storage is unavailable; try again later");
}

bool remove_stored(const Config &cfg, const std::string &name) {
    if (!is_storage_name(name)) return false;
    return remove_below_storage(cfg, name);
}

bool remove_below_storage(const Config &cfg, const std::string &rel) {
    if (rel.empty() || rel.find("..") != std::string::npos) return false;
    std::string path = cfg.attachment_dir + "/" + rel;
    if (unlink(path.c_str()) == 0 || errno == ENOENT) return true;
    log_warn("cannot remove attachment file " + path + ": " + strerror(errno));
    return false;
}

namespace {

void list_dir(const std::string &dir, const std::string &prefix, time_t cutoff, bool incoming,
              std::vector<std::string> &out) {
    DIR *d = opendir(dir.c_str());
    if (!d) return;
    while (struct dirent *e = readdir(d)) {
        std::string name = e->d_name;
        if (incoming ? name.empty() || name[0] == '.' : !is_storage_name(name)) continue;
        struct stat st;
        if (lstat((dir + "/" + name).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
        if (st.st_mtime <= cutoff && st.st_ctime <= cutoff) out.push_back(prefix + name);
    }
    closedir(d);
}

}  // namespace

std::vector<std::string> stored_names_older_than(const Config &cfg, long min_age_s) {
    std::vector<std::string> out;
    if (cfg.attachment_dir.empty()) return out;
    time_t cutoff = time(nullptr) - min_age_s;
    list_dir(cfg.attachment_dir, "", cutoff, false, out);
    list_dir(cfg.attachment_dir + "/.incoming", ".incoming/", cutoff, true, out);
    return out;
}

int64_t stored_size(const Config &cfg, const std::string &name) {
    struct stat st;
    if (!is_storage_name(name) || stat(storage_path(cfg, name).c_str(), &st) != 0) return -1;
    return static_cast<int64_t>(st.st_size);
}

}  // namespace msk
