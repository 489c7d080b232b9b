// Command-line parsing (see args.hpp).
#include "args.hpp"

#include <set>

namespace mskanban::cli {

namespace {
const std::set<std::string> kFlags = {"json", "undo", "no-due", "no-description", "no-login", "archived", "help", "yes", "done", "not-done", "none", "unread", "clear"};
}

Outcome<Args> parse_args(int argc, char **argv, int start) {
    Args a;
    bool options = true;
    for (int i = start; i < argc; i++) {
        std::string s = argv[i];
        if (options && s == "--") { options = false; continue; }
        if (options && s.size() > 2 && s.compare(0, 2, "--") == 0) {
            std::string name = s.substr(2), value;
            auto eq = name.find('=');
            if (eq != std::string::npos) {
                value = name.substr(eq + 1);
                name = name.substr(0, eq);
            } else if (!kFlags.count(name)) {
                if (i + 1 >= argc) return fail(kUsage, "--" + name + " needs a value");
                value = argv[++i];
            }
            if (name == "phrase" || name == "recovery-phrase")
                return fail(kUsage, "recovery phrases are never taken on the command line: use MSKANBAN_RECOVERY_PHRASE, --phrase-file or the prompt");
            if (name == "password") return fail(kUsage, "passwords are never taken on the command line: use MSKANBAN_PASSWORD, --password-file or the prompt");
            a.opt[name] = value;
            continue;
        }
        if (options && s == "-h") { a.opt["help"] = ""; continue; }
        a.pos.push_back(s);
    }
    return a;
}

}  // namespace mskanban::cli
