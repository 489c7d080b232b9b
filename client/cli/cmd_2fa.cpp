// Two-factor commands: `2fa enroll` (POST /auth/2fa/enroll, show the otpauth
// URI as a terminal QR code, then confirm with a code via /auth/2fa/verify)
// and `2fa disable` (POST /auth/2fa/disable with a current code).
#include <iostream>

#include "commands.hpp"
#include "prompt.hpp"
#include "qr.hpp"
#include "safe_text.hpp"

namespace mskanban::cli {

namespace {

Outcome<std::string> code_from(const Ctx &ctx, const std::string &prompt) {
    if (ctx.args.has("code")) return ctx.args.get("code");
    if (!have_tty()) return fail(kUsage, "pass --code CODE (no terminal to prompt on)");
    return read_line_tty(prompt);
}

}  // namespace

Status cmd_2fa_enroll(Ctx &ctx) {
    auto r = ctx.api->post("/auth/2fa/enroll", object());
    if (!r) return r.failure();
    std::string uri = r.value().str("otpauthUri", r.value().str("uri"));
    std::string secret = r.value().str("secret");
    if (ctx.json && ctx.args.has("code")) {
        // Scripted: no QR, the URI goes out as JSON.
    } else {
        std::cerr << render_qr(uri) << "\nScan this with your authenticator app, or enter the secret by hand:\n  "
                  << safe_line(secret) << "\n  " << safe_line(uri) << "\n\n";
    }
    auto code = code_from(ctx, "Code from the app, to confirm: ");
    if (!code) return code.failure();
    Json body = object();
    body.set("code", code.value());
    auto v = ctx.api->post("/auth/2fa/verify", body);
    if (!v) return v.failure();
    if (ctx.json) {
        Json out = object();
        out.set("totpEnabled", Json::own(json_true()));
        out.set("otpauthUri", uri);
        std::cout << out.dump(true) << "\n";
    } else {
        std::cout << "Two-factor authentication is on: login now asks for a code.\n";
    }
    return ok_status();
}

Status cmd_2fa_disable(Ctx &ctx) {
    auto code = code_from(ctx, "Current code from the app: ");
    if (!code) return code.failure();
    Json body = object();
    body.set("code", code.value());
    auto r = ctx.api->post("/auth/2fa/disable", body);
    if (!r) return r.failure();
    if (ctx.json) std::cout << r.value().dump(true) << "\n";
    else std::cout << "Two-factor authentication is off.\n";
    return ok_status();
}

}  // namespace mskanban::cli
