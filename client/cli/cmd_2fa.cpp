// Two-factor commands: `2fa enroll` (POST /auth/2fa/enroll, show the otpauth
// URI as a terminal QR code, then confirm with a code via /auth/2fa/verify)
// and `2fa disable` (POST /auth/2fa/disable with a current code), and
// `2fa webauthn list|rm` for security keys (registering one, or logging in with one,
// needs a browser: a terminal is not an authenticator; docs/decisions.md).
#include <iostream>

#include "commands.hpp"
#include "login_flow.hpp"
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

Status cmd_2fa_webauthn(Ctx &ctx) {
    const auto &pos = ctx.args.pos;
    if (pos.size() == 1 && pos[0] == "list") {
        auto r = ctx.api->get("/me/webauthn");
        if (!r) return r.failure();
        Json list = unwrap_list(r.value(), "credentials");
        if (ctx.json) {
            std::cout << list.dump(true) << "\n";
        } else if (list.size() == 0) {
            std::cout << "No security keys.\n";
        } else {
            for (size_t i = 0; i < list.size(); i++) {
                Json k = list.at(i);
                std::string used = k.str("lastUsedAt");
                std::cout << safe_line(k.str("id")) << "  " << safe_line(k.str("algorithm")) << "  added "
                          << safe_line(k.str("createdAt")) << "  last used " << (used.empty() ? "never" : safe_line(used))
                          << "\n";
            }
        }
        return ok_status();
    }
    if (pos.size() == 2 && pos[0] == "rm") {
        if (pos[1].empty() || pos[1].find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789") != std::string::npos)
            return fail(kUsage, "KEY_ID is an id from `mskanban 2fa webauthn list`");
        // Removing a key needs the step-up second factor (docs/decisions.md): a TOTP code
        // when TOTP is on; a terminal cannot sign a security key's challenge.
        auto totp = totp_if_enabled(ctx);
        if (!totp) return totp.failure();
        Json body = object();
        if (!totp.value().empty()) body.set("totp", totp.value());
        auto r = ctx.api->call("DELETE", "/me/webauthn/" + pos[1], body);
        if (!r) {
            if (r.failure().api_code == "WEBAUTHN_REQUIRED")
                return fail(kAuth, "security key not removed: removing one needs a security key's assertion, which "
                                   "the CLI cannot make; remove it in a browser client, or turn TOTP on and pass --totp");
            return r.failure();
        }
        if (ctx.json) std::cout << "{\"removed\": true}\n";
        else std::cout << "Security key removed.\n";
        return ok_status();
    }
    return fail(kUsage, "usage: mskanban 2fa webauthn list | mskanban 2fa webauthn rm KEY_ID");
}

}  // namespace mskanban::cli
