// Spooling an upload from stdin (see upload_spool.hpp).
#include "upload_spool.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "attachment_store.hpp"
#include "log.hpp"
#include "routes.hpp"

namespace msk {

UploadSpool::~UploadSpool() {
    if (!path.empty()) unlink(path.c_str());
}

namespace {

bool is_upload_route(const Request &req) {
    auto m = match_route(all_routes(), req.method, req.path);
    return m.ok() && m->route->upload;
}

bool write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        p += w;
        n -= static_cast<size_t>(w);
    }
    return true;
}

}  // namespace

SpoolResult spool_upload(FCGX_Request &r, const Config &cfg, Request &req, UploadSpool &spool) {
    if (cfg.attachment_dir.empty() || !is_upload_route(req)) return SpoolResult::none;
    const char *len_s = FCGX_GetParam("CONTENT_LENGTH", r.envp);
    bool has_len = len_s && *len_s;
    uint64_t len = has_len ? std::strtoull(len_s, nullptr, 10) : 0;
    uint64_t max = secretstream_bytes(static_cast<uint64_t>(cfg.attachment_max_bytes));
    if (len > max) return SpoolResult::too_large;
    std::string dir = cfg.attachment_dir + "/.incoming";
    if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
        log_error("cannot create " + dir + ": " + strerror(errno));
        return SpoolResult::failed;
    }
    spool.path = dir + "/" + new_storage_name();
    // 0640: once renamed into attachment_dir (group: the web server's, setgid), Apache or
    // lighttpd reads it for X-Sendfile; .incoming itself stays 0700.
    int fd = open(spool.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd < 0) {
        log_error("cannot create an upload file in " + dir + ": " + strerror(errno));
        spool.path.clear();
        return SpoolResult::failed;
    }
    std::string buf(kStreamChunkBytes, '\0');
    uint64_t got = 0;
    SpoolResult result = SpoolResult::ok;
    for (;;) {
        int n = FCGX_GetStr(&buf[0], static_cast<int>(buf.size()), r.in);
        if (n <= 0) break;
        got += static_cast<uint64_t>(n);
        if (got > max) {
            result = SpoolResult::too_large;
            break;
        }
        if (!write_all(fd, buf.data(), static_cast<size_t>(n))) {
            int err = errno;
            log_error("cannot write an upload file in " + dir + ": " + strerror(err));
            result = err == ENOSPC || err == EDQUOT ? SpoolResult::no_space : SpoolResult::failed;
            break;
        }
    }
    if (close(fd) != 0 && result == SpoolResult::ok) result = SpoolResult::failed;
    if (result == SpoolResult::ok && has_len && got != len) {
        log_warn("upload truncated: " + std::to_string(got) + " of " + std::to_string(len) + " bytes");
        result = SpoolResult::failed;
    }
    if (result == SpoolResult::ok) req.body_file = spool.path;
    return result;
}

}  // namespace msk
