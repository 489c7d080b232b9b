// mskanban: the command-line client of MSKanban. Parses the global options,
// loads the session file, finds the command in the table (commands.cpp),
// runs it, and turns its Failure into one line on stderr and an exit code.
//
// Global options: --server URL (else $MSKANBAN_SERVER, the session's server,
// http://127.0.0.1:8080), --state FILE (else $MSKANBAN_STATE, ~/.config/...),
// --json, --password-file FILE, --totp CODE.
#include <langinfo.h>

#include <clocale>
#include <cstring>
#include <iostream>

#include "commands.hpp"
#include "crypto/hierarchy.hpp"
#include "crypto/utf8.hpp"
#include "http.hpp"
#include "safe_text.hpp"

using namespace mskanban::cli;

namespace {

void usage(std::ostream &os) {
    os << "usage: mskanban [--server URL] [--state FILE] [--json] COMMAND ...\n\ncommands:\n";
    for (const auto &c : command_table()) {
        std::string words = std::string(c.group) + (*c.verb ? std::string(" ") + c.verb : "");
        os << "  " << words << std::string(words.size() < 18 ? 18 - words.size() : 1, ' ') << c.summary << "\n";
    }
    os << "\nPasswords: prompt without echo, or MSKANBAN_PASSWORD, or --password-file FILE.\n"
          "Session file: see `mskanban help session`. Exit codes: 0 ok, 1 error, 2 usage, 3 auth,\n"
          "4 unreachable, 5 rate limited, 6 decryption failure.\n";
}

const Command *find(const std::vector<std::string> &words, size_t &used) {
    for (const auto &c : command_table()) {
        if (words.empty() || words[0] != c.group) continue;
        if (!*c.verb) { used = 1; return &c; }
        if (words.size() > 1 && words[1] == c.verb) { used = 2; return &c; }
    }
    return nullptr;
}

int run(int argc, char **argv) {
    auto parsed = parse_args(argc, argv, 1);
    if (!parsed) { std::cerr << "mskanban: " << safe_line(parsed.failure().message) << "\n"; return kUsage; }
    Args args = parsed.value();
    // Arguments become plaintext (titles, names): bare UTF-8 only, so every reader can decode them.
    for (const auto &p : args.pos)
        if (!mskanban::crypto::valid_utf8(p)) { std::cerr << "mskanban: arguments must be UTF-8 text\n"; return kUsage; }
    for (const auto &o : args.opt)
        if (!mskanban::crypto::valid_utf8(o.second)) {
            std::cerr << "mskanban: --" << safe_line(o.first) << " must be UTF-8 text\n";
            return kUsage;
        }
    if (args.pos.size() == 2 && args.pos[0] == "help" && args.pos[1] == "session") {
        std::cout << "Session file: " << (args.has("state") ? args.get("state") : default_state_path()) << " (mode 0600)\n"
                     "It keeps server, email, userId, the session cookie and its expiry, your public key, and two\n"
                     "keys: the User Symmetric Key (opens your workspace and board keys) and your X25519 private\n"
                     "key (opens workspaces shared with you). Never the password, Master Key or recovery phrase.\n"
                     "logout deletes it, and so does any command that finds the session expired.\n";
        return kOk;
    }
    if (args.pos.empty() || args.pos[0] == "help") {
        usage(args.pos.empty() ? std::cerr : std::cout);
        return args.pos.empty() ? kUsage : kOk;
    }
    size_t used = 0;
    const Command *cmd = find(args.pos, used);
    if (!cmd) {
        std::cerr << "mskanban: unknown command \"" << args.pos[0] << (args.pos.size() > 1 ? " " + args.pos[1] : "")
                  << "\"; see mskanban help\n";
        return kUsage;
    }
    args.pos.erase(args.pos.begin(), args.pos.begin() + static_cast<long>(used));
    if (args.has("help")) {
        std::cout << "usage: mskanban " << cmd->group << (*cmd->verb ? std::string(" ") + cmd->verb : "") << " "
                  << cmd->usage << "\n  " << cmd->summary << "\n";
        return kOk;
    }

    std::string state_path = args.has("state") ? args.get("state") : default_state_path();
    auto loaded = load_state(state_path);
    if (!loaded) { std::cerr << "mskanban: " << safe_line(loaded.failure().message) << "\n"; return loaded.failure().exit_code; }
    SessionState state = std::move(loaded.value());

    std::string server = args.get("server");
    if (server.empty()) if (const char *e = std::getenv("MSKANBAN_SERVER"); e && *e) server = e;
    if (server.empty()) server = state.server;
    if (server.empty()) server = "http://127.0.0.1:8080";
    while (!server.empty() && server.back() == '/') server.pop_back();
    if (!state.server.empty() && state.server != server && cmd->needs_login) {
        std::cerr << "mskanban: the session file is for " << state.server << ", not " << server << "; log in there first\n";
        return kAuth;
    }

    Api api(server, &state, state_path);
    Ctx ctx{args, &api, &state, state_path, args.has("json")};
    if (cmd->needs_login) {
        auto ok = require_login(ctx);
        if (!ok) { std::cerr << "mskanban: " << safe_line(ok.failure().message) << "\n"; return ok.failure().exit_code; }
    }
    Status st = cmd->run(ctx);
    if (!st) {
        // Messages can quote decrypted names and server strings: escaped like any output.
        std::cerr << "mskanban: " << safe_line(st.failure().message) << "\n";
        return st.failure().exit_code;
    }
    return kOk;
}

}  // namespace

int main(int argc, char **argv) {
    // Display widths (wcwidth) need a UTF-8 locale; output is UTF-8 whatever the locale says.
    if (!std::setlocale(LC_CTYPE, "") || std::strcmp(nl_langinfo(CODESET), "UTF-8") != 0)
        std::setlocale(LC_CTYPE, "C.UTF-8");
    if (!mskanban::crypto::init() || !http_init()) {
        std::cerr << "mskanban: cannot initialise libsodium or libcurl\n";
        return kGeneral;
    }
    int rc = run(argc, argv);
    http_cleanup();
    return rc;
}
