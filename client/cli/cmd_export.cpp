// `export`: everything the server holds about the account (GET /me/export, one
// request), decrypted here, as JSON (--format json, the default) or Markdown
// (--format markdown): workspaces -> boards -> columns -> cards, archived cards
// included, each card with its checklists, comments, custom field values and
// attachment names (export_doc.hpp). This is plaintext by design (backup,
// migration): with --output the file is created 0600; on stdout it is the
// caller's to protect. Fields that fail to decrypt are marked and listed under
// decryptErrors; the exit code says so.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "board_data.hpp"
#include "commands.hpp"
#include "export_doc.hpp"

namespace mskanban::cli {

Status cmd_export(Ctx &ctx) {
    std::string format = ctx.args.has("format") ? ctx.args.get("format") : "json";
    if (format != "json" && format != "markdown") return fail(kUsage, "--format must be json or markdown");
    auto r = ctx.api->get("/me/export");
    if (!r) return r.failure();
    Keyring keys(ctx);
    std::vector<std::string> errors;
    auto plain = decrypt_export(keys, r.value(), ctx.args.get("workspace"), errors);
    if (!plain) return plain.failure();
    Json out = plain.value();
    out.set("server", ctx.state->server);
    std::string text = format == "json" ? out.dump(true) + "\n" : export_markdown(out);

    if (ctx.args.has("output")) {
        std::string path = ctx.args.get("output");
        int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0) return fail(kGeneral, "cannot write " + path + ": " + std::strerror(errno));
        bool good = fchmod(fd, 0600) == 0 && write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
        close(fd);
        if (!good) return fail(kGeneral, "cannot write " + path + ": " + std::strerror(errno));
        if (!ctx.json) std::cerr << "Exported (decrypted) to " << path << " (mode 0600).\n";
    } else {
        std::cout << text;
    }
    return report_decrypt_errors(errors);
}

}  // namespace mskanban::cli
