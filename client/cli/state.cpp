// Session file reading and writing (see state.hpp).
#include "state.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include <sodium.h>

#include "crypto/b64url.hpp"
#include "json.hpp"

namespace mskanban::cli {

namespace {

std::string dirname_of(const std::string &p) {
    auto slash = p.rfind('/');
    return slash == std::string::npos ? "." : (slash == 0 ? "/" : p.substr(0, slash));
}

// mkdir -p with 0700 for the directories we create.
bool make_dirs(const std::string &dir) {
    if (dir.empty() || dir == "." || dir == "/") return true;
    struct stat st;
    if (stat(dir.c_str(), &st) == 0) return S_ISDIR(st.st_mode);
    if (!make_dirs(dirname_of(dir))) return false;
    return mkdir(dir.c_str(), 0700) == 0 || errno == EEXIST;
}

}  // namespace

std::string default_state_path() {
    if (const char *e = std::getenv("MSKANBAN_STATE"); e && *e) return e;
    std::string base;
    if (const char *x = std::getenv("XDG_CONFIG_HOME"); x && *x) base = x;
    else if (const char *h = std::getenv("HOME"); h && *h) base = std::string(h) + "/.config";
    else base = ".";
    return base + "/mskanban/session.json";
}

Outcome<SessionState> load_state(const std::string &path) {
    SessionState s;
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return s;
        return fail(kGeneral, "cannot read " + path + ": " + std::strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || (st.st_mode & 077)) {
        close(fd);
        return fail(kGeneral, path + " is readable by other users; run: chmod 600 " + path);
    }
    std::string text;
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
    close(fd);
    Json j = parse(text);
    crypto::wipe_string(text);
    if (!json_is_object(j.get())) return fail(kGeneral, path + " is not a session file; delete it and log in again");
    s.server = j.str("server");
    s.email = j.str("email");
    s.user_id = j.str("userId");
    s.session_token = j.str("sessionToken");
    s.expires_at = j.str("expiresAt");
    s.public_key = j.str("publicKey");
    auto usk = crypto::b64url_decode_secret(j.str("userSymmetricKey"), 32);
    auto sk = crypto::b64url_decode_secret(j.str("privateKey"), 32);
    if (usk) s.usk = std::move(usk.value());
    if (sk) s.private_key = std::move(sk.value());
    return s;
}

Status save_state(const std::string &path, const SessionState &s) {
    if (!make_dirs(dirname_of(path))) return fail(kGeneral, "cannot create the directory of " + path);
    Json j = object();
    j.set("version", Json::own(json_integer(1)));
    j.set("server", s.server);
    j.set("email", s.email);
    j.set("userId", s.user_id);
    j.set("sessionToken", s.session_token);
    j.set("expiresAt", s.expires_at);
    j.set("publicKey", s.public_key);
    for (auto [name, key] : {std::make_pair("userSymmetricKey", &s.usk), std::make_pair("privateKey", &s.private_key)}) {
        std::string enc = crypto::b64url_encode(*key);
        j.set(name, enc);
        crypto::wipe_string(enc);
    }
    std::string text = j.dump(true) + "\n";
    std::string tmp = path + ".tmp";
    int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return fail(kGeneral, "cannot write " + tmp + ": " + std::strerror(errno));
    bool good = fchmod(fd, 0600) == 0 && write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                fsync(fd) == 0;
    close(fd);
    crypto::wipe_string(text);
    // Wipe the key copies jansson made inside the document before it is freed.
    for (const char *k : {"userSymmetricKey", "privateKey", "sessionToken"}) {
        json_t *v = json_object_get(j.get(), k);
        if (const char *p = json_string_value(v)) sodium_memzero(const_cast<char *>(p), std::strlen(p));
    }
    if (!good || rename(tmp.c_str(), path.c_str()) != 0) {
        unlink(tmp.c_str());
        return fail(kGeneral, "cannot write " + path + ": " + std::strerror(errno));
    }
    return ok_status();
}

Status remove_state(const std::string &path) {
    if (unlink(path.c_str()) != 0 && errno != ENOENT)
        return fail(kGeneral, "cannot delete " + path + ": " + std::strerror(errno));
    return ok_status();
}

}  // namespace mskanban::cli
