// `export`: everything the user can read, decrypted, as one JSON document
// (workspaces -> boards -> columns -> cards, including archived cards). This
// is plaintext by design (backup, migration): with --output the file is
// created 0600; on stdout it is the caller's to protect. Fields that fail to
// decrypt are marked and listed under decryptErrors; the exit code says so.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "board_data.hpp"
#include "board_meta.hpp"
#include "commands.hpp"
#include "crypto/aad.hpp"

namespace mskanban::cli {

namespace c = mskanban::crypto;

Status cmd_export(Ctx &ctx) {
    auto r = ctx.api->get("/workspaces");
    if (!r) return r.failure();
    Keyring keys(ctx);
    Json list = unwrap_list(r.value(), "workspaces");
    Json out = object(), out_ws = array();
    std::vector<std::string> errors;
    std::string only = ctx.args.get("workspace");
    for (size_t i = 0; i < list.size(); i++) {
        std::string ws_id = list.at(i).str("id");
        if (!only.empty() && ws_id != only) continue;
        Json w = object();
        w.set("id", ws_id);
        auto wk = keys.workspace_key(ws_id);
        if (!wk) {
            errors.push_back(wk.failure().message);
            w.set("name", kUndecryptable);
            json_array_append(out_ws.get(), w.get());
            continue;
        }
        auto name = decrypt(*wk.value(), c::aad::workspace(ws_id), list.at(i).str("encName"), "workspace " + ws_id + " name");
        if (!name) errors.push_back(name.failure().message);
        w.set("name", name ? name.value() : kUndecryptable);
        auto boards = ctx.api->get("/workspaces/" + url_escape(ws_id) + "/boards");
        if (!boards) return boards.failure();
        Json blist = unwrap_list(boards.value(), "boards"), out_boards = array();
        for (size_t j = 0; j < blist.size(); j++) {
            auto b = load_board(ctx, keys, blist.at(j).str("id"), true);
            if (!b) {
                if (b.failure().exit_code != kDecrypt) return b.failure();
                errors.push_back(b.failure().message);
                continue;
            }
            auto meta = load_board_meta(ctx, keys, b.value());
            if (!meta) return meta.failure();
            errors.insert(errors.end(), b.value().errors.begin(), b.value().errors.end());
            json_array_append(out_boards.get(), board_json(b.value()).get());
        }
        w.set("boards", out_boards);
        json_array_append(out_ws.get(), w.get());
    }
    out.set("format", "mskanban-export-v1");
    out.set("server", ctx.state->server);
    out.set("email", ctx.state->email);
    out.set("workspaces", out_ws);
    std::string text = out.dump(true) + "\n";

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
