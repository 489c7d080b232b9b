// What every command handler receives: the parsed arguments, the API client,
// the session state and where it lives, and output preferences.
#pragma once

#include <string>

#include "api.hpp"
#include "args.hpp"
#include "state.hpp"

namespace mskanban::cli {

struct Ctx {
    Args args;
    Api *api;
    SessionState *state;
    std::string state_path;
    bool json = false;  // --json: machine-readable output on stdout
};

// Fails with kAuth unless a session with keys is loaded.
Status require_login(const Ctx &ctx);

}  // namespace mskanban::cli
