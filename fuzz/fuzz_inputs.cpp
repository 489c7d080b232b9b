// libFuzzer target for everything that parses untrusted input before a handler runs:
// JSON bodies and field readers, envelopes and base64url, timestamps, route matching,
// query strings and cookies, and the config file. The first byte picks the parser.
// Built and run by scripts/run-fuzz (clang, -fsanitize=fuzzer,address,undefined).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "base64url.hpp"
#include "config.hpp"
#include "envelope.hpp"
#include "http.hpp"
#include "json.hpp"
#include "routes.hpp"
#include "timeutil.hpp"

using namespace msk;

static Result<Response> nothing(Ctx &) { return no_content(); }

static const std::vector<Route> kRoutes = {
    {"GET", "/boards/:id", nothing, Access::session, "read"},
    {"PATCH", "/boards/:id", nothing, Access::session, "mutation"},
    {"DELETE", "/workspaces/:wsId/members/:userId", nothing, Access::session, "mutation"},
    {"POST", "/auth/login", nothing, Access::anonymous, "login"},
};

static void check(bool ok) {
    if (!ok) abort();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    std::string in(reinterpret_cast<const char *>(data + 1), size - 1);
    switch (data[0] % 6) {
        case 0: {
            auto obj = parse_object(in);
            if (!obj) break;
            (void)req_string(obj->get(), "email", 254);
            (void)opt_string(obj->get(), "totp", 16);
            (void)nullable_string(obj->get(), "encDescription", 4096);
            (void)opt_int(obj->get(), "wipLimit", 0, 1000);
            (void)opt_bool(obj->get(), "archived");
            (void)dump(obj->get());
            break;
        }
        case 1: {
            (void)envelope_problem(in, 4096);
            (void)fixed_b64url_problem(in, 32);
            auto d = b64url_decode(in);
            if (d) check(b64url_encode(*d) == in);  // strict decoding: one encoding per value
            auto h = hex_decode(in);
            if (h) check(hex_decode(hex_encode(*h)) == h);
            break;
        }
        case 2: {
            auto t = parse_iso8601_ms(in);
            if (t && *t >= 0 && *t < 253402300800000LL) check(parse_iso8601_ms(iso8601_ms(*t)) == t);
            break;
        }
        case 3: {
            std::string method = in.substr(0, in.find(' '));
            std::string path = in.find(' ') == std::string::npos ? "" : in.substr(in.find(' ') + 1);
            auto m = match_route(kRoutes, method, path);
            if (m) check(m->route != nullptr);
            Request r;
            r.query = in;
            (void)r.query_param("t");
            (void)url_decode(in);
            break;
        }
        case 4:
            (void)cookie_value(in, "mskanban_session");
            break;
        case 5:
            (void)parse_config(in, [](const std::string &) { return std::optional<std::string>(); });
            break;
    }
    return 0;
}
