// What a command that changed one object prints: {"id": ...} with --json,
// else its message (already escaped by the caller where it quotes server or
// decrypted text).
#pragma once

#include <iostream>
#include <string>

#include "context.hpp"

namespace mskanban::cli {

inline Status print_done(const Ctx &ctx, const std::string &id, const std::string &message) {
    if (ctx.json) {
        Json o = object();
        o.set("id", id);
        std::cout << o.dump(true) << "\n";
    } else {
        std::cout << message << "\n";
    }
    return ok_status();
}

}  // namespace mskanban::cli
