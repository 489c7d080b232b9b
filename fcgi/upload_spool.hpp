// Uploads that reach a worker on stdin: Apache (mod_proxy_fcgi, mod_fcgid), lighttpd,
// or an nginx without the upload location of conf/nginx/mskanban-attachments.conf.
// The body is written to attachment_dir/.incoming in 64 KiB pieces (the worker never
// holds the file in memory, but it does hold a thread while the client sends), then
// handled like nginx's temporary file; whatever is left of it afterwards is removed.
#pragma once

#include <fcgiapp.h>

#include <string>

#include "config.hpp"
#include "http.hpp"

namespace msk {

enum class SpoolResult { none, ok, too_large, no_space, failed };

// Removes the spooled file (if the request did not move it) when it goes out of scope.
struct UploadSpool {
    std::string path;
    UploadSpool() = default;
    UploadSpool(const UploadSpool &) = delete;
    UploadSpool &operator=(const UploadSpool &) = delete;
    ~UploadSpool();
};

// For a request to an upload route without a file from the web server, spools stdin
// and sets req.body_file. `none`: not an upload (read the body as usual); `too_large`:
// over the attachment limit (nothing read); `no_space`: the disk filled up (507);
// `failed`: a truncated body or an I/O error (logged; the handler answers 400).
SpoolResult spool_upload(FCGX_Request &r, const Config &cfg, Request &req, UploadSpool &spool);

}  // namespace msk
