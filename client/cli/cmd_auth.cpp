// Account commands: register, login, logout, whoami (recover: cmd_recover.cpp).
//
// register: Argon2id in the client, a fresh USK and X25519 key pair wrapped by
// the Master Key, a recovery phrase shown once; then a login with the same
// authHash. login: login-init gives the salts and KDF parameters, the client
// derives the Master Key and authHash, sends the authHash (and a TOTP code if
// the server asks), opens the returned key bundle and keeps the session in the
// session file (see state.hpp for what that holds).
#include <cstdio>
#include <iostream>

#include "commands.hpp"
#include "crypto/b64url.hpp"
#include "crypto/hierarchy.hpp"
#include "fingerprint.hpp"
#include "login_flow.hpp"
#include "prompt.hpp"
#include "safe_text.hpp"

namespace mskanban::cli {

namespace c = mskanban::crypto;

namespace {

PasswordSource password_source(const Ctx &ctx) { return PasswordSource{ctx.args.get("password-file")}; }

Outcome<c::KdfParams> kdf_from(const Json &k) {
    if (k.has("algorithm") && k.str("algorithm") != "argon2id")
        return fail(kGeneral, "the server asks for KDF \"" + k.str("algorithm") + "\"; only argon2id is supported");
    c::KdfParams p;
    p.memory_kib = static_cast<uint32_t>(k.num("memoryKiB", p.memory_kib));
    p.iterations = static_cast<uint32_t>(k.num("iterations", p.iterations));
    p.parallelism = static_cast<uint32_t>(k.num("parallelism", p.parallelism));
    auto ok = c::check_kdf_params(p);
    if (!ok) return fail(kGeneral, "refusing the server's KDF parameters: " + ok.error().message);
    return p;
}

}  // namespace

Json kdf_json(const c::KdfParams &p) {
    Json k = object();
    k.set("algorithm", "argon2id");
    k.set("memoryKiB", Json::own(json_integer(p.memory_kib)));
    k.set("iterations", Json::own(json_integer(p.iterations)));
    k.set("parallelism", Json::own(json_integer(p.parallelism)));
    return k;
}

Json password_body(const std::string &email, const std::string &auth_hash, const c::KdfParams &kdf,
                   const std::vector<unsigned char> &kdf_salt, const std::vector<unsigned char> &auth_salt,
                   const std::string &enc_private_key, const std::string &enc_symmetric_key) {
    Json body = object();
    body.set("email", email);
    body.set("authHash", auth_hash);
    body.set("kdf", kdf_json(kdf));
    body.set("kdfSalt", c::b64url_encode(kdf_salt));
    body.set("authSalt", c::b64url_encode(auth_salt));
    body.set("encPrivateKey", enc_private_key);
    body.set("encSymmetricKey", enc_symmetric_key);
    return body;
}

std::string totp_given(const Ctx &ctx) {
    std::string totp = ctx.args.get("totp");
    if (totp.empty())
        if (const char *e = std::getenv("MSKANBAN_TOTP"); e && *e) totp = e;
    return totp;
}

Outcome<std::string> totp_if_enabled(Ctx &ctx) {
    auto me = ctx.api->get("/me");
    if (!me) return me.failure();
    if (!unwrap_object(me.value(), "user").boolean("totpEnabled")) return std::string();
    std::string code = totp_given(ctx);
    if (!code.empty()) return code;
    if (!have_tty()) return fail(kUsage, "two-factor login is on: pass --totp CODE or set MSKANBAN_TOTP");
    return read_line_tty("TOTP code: ");
}

Outcome<Json> post_login(Ctx &ctx, const std::string &email, const std::string &auth_hash) {
    Json body = object();
    body.set("email", email);
    body.set("authHash", auth_hash);
    std::string totp = totp_given(ctx);
    if (!totp.empty()) body.set("totp", totp);
    auto r = ctx.api->post("/auth/login", body);
    if (!r && r.failure().api_code == "TOTP_REQUIRED" && totp.empty() && have_tty()) {
        auto code = read_line_tty("TOTP code: ");
        if (!code) return code.failure();
        body.set("totp", code.value());
        r = ctx.api->post("/auth/login", body);
    }
    if (!r && r.failure().exit_code == kAuth && r.failure().api_code != "TOTP_REQUIRED")
        return fail(kAuth, "login refused: " + r.failure().message);
    return r;
}

Status finish_login(Ctx &ctx, const std::string &email, const c::SecretBytes &master_key, const Json &resp) {
    Json keys = resp["keys"], user = resp["user"], session = resp["session"];
    auto opened = c::open_account_keys(master_key, keys.str("encSymmetricKey"), keys.str("encPrivateKey"),
                                       keys.str("publicKey"));
    if (!opened) return fail(kDecrypt, "your account keys do not decrypt: " + opened.error().message);
    std::string token = ctx.api->new_session_token();
    if (token.empty()) return fail(kGeneral, "the server did not set a session cookie");
    SessionState &s = *ctx.state;
    s.server = ctx.api->server();
    s.email = email;
    s.user_id = user.str("id");
    s.session_token = token;
    s.expires_at = session.str("expiresAt");
    s.public_key = keys.str("publicKey");
    s.usk = std::move(opened.value().usk);
    s.private_key = std::move(opened.value().keypair.secret_key);
    auto saved = save_state(ctx.state_path, s);
    if (!saved) return saved;
    if (ctx.json) {
        Json out = object();
        out.set("user", user);
        out.set("session", session);
        out.set("stateFile", ctx.state_path);
        std::cout << out.dump(true) << "\n";
    } else {
        std::cout << "Logged in as " << safe_line(email) << " (" << safe_line(s.user_id) << ") on " << safe_line(s.server) << ".\n";
    }
    return ok_status();
}

Status cmd_register(Ctx &ctx) {
    if (ctx.args.pos.size() != 1) return fail(kUsage, "usage: mskanban register EMAIL");
    std::string email = ctx.args.pos[0];
    auto pw = read_password(password_source(ctx), "New password for " + email + ": ", true);
    if (!pw) return pw.failure();
    if (pw.value().size() < 8) {
        c::wipe_string(pw.value());
        return fail(kUsage, "choose a password of at least 8 characters");
    }
    std::cerr << "Deriving keys (Argon2id, 64 MiB)...\n";
    auto acct = c::create_account(pw.value(), c::KdfParams{});
    c::wipe_string(pw.value());
    if (!acct) return fail(kGeneral, "cannot create keys: " + acct.error().message);
    auto &a = acct.value();

    Json body = password_body(email, a.auth_hash, a.kdf, a.kdf_salt, a.auth_salt, a.enc_private_key,
                              a.enc_symmetric_key);
    body.set("publicKey", a.public_key);
    body.set("encRecoveryBlob", a.enc_recovery_blob);
    body.set("encRecoveryPrivateKey", a.enc_recovery_private_key);
    body.set("recoveryVerifier", a.recovery_verifier);
    auto r = ctx.api->post("/auth/register", body);
    if (!r) return r.failure();

    // The phrase goes to the terminal only: stderr, so `--json > file` never captures it.
    std::cerr << "\nAccount created. Your recovery phrase (shown once; write it down and keep it offline):\n\n    "
              << a.recovery_phrase
              << "\n\nWith it you can regain your boards if you forget your password. Nobody else, not the server"
                 "\noperator either, can recover them for you.\n\n";
    if (ctx.args.has("no-login")) {
        if (ctx.json) std::cout << unwrap_object(r.value(), "user").dump(true) << "\n";
        return ok_status();
    }
    auto login = post_login(ctx, email, a.auth_hash);
    if (!login) return login.failure();
    return finish_login(ctx, email, a.master_key, login.value());
}

Outcome<c::Unlocked> unlock_with_password(Ctx &ctx, const std::string &email) {
    Json init_body = object();
    init_body.set("email", email);
    auto init = ctx.api->post("/auth/login-init", init_body);
    if (!init) return init.failure();
    auto kdf = kdf_from(init.value()["kdf"]);
    if (!kdf) return kdf.failure();
    auto kdf_salt = c::b64url_decode(init.value().str("kdfSalt"));
    auto auth_salt = c::b64url_decode(init.value().str("authSalt"));
    if (!kdf_salt || !auth_salt) return fail(kGeneral, "login-init returned malformed salts");

    auto pw = read_password(password_source(ctx), "Password for " + email + ": ", false);
    if (!pw) return pw.failure();
    auto unlocked = c::unlock(pw.value(), kdf_salt.value(), auth_salt.value(), kdf.value());
    c::wipe_string(pw.value());
    if (!unlocked) return fail(kGeneral, "key derivation failed: " + unlocked.error().message);
    return std::move(unlocked.value());
}

Status cmd_login(Ctx &ctx) {
    std::string email = ctx.args.pos.empty() ? ctx.state->email : ctx.args.pos[0];
    if (email.empty() || ctx.args.pos.size() > 1) return fail(kUsage, "usage: mskanban login EMAIL");
    auto unlocked = unlock_with_password(ctx, email);
    if (!unlocked) return unlocked.failure();
    auto login = post_login(ctx, email, unlocked.value().auth_hash);
    if (!login) return login.failure();
    return finish_login(ctx, email, unlocked.value().master_key, login.value());
}

Status cmd_logout(Ctx &ctx) {
    Status server_side = ok_status();
    if (!ctx.state->session_token.empty()) {
        auto r = ctx.api->post("/auth/logout", object());
        if (!r && r.failure().exit_code != kAuth) server_side = r.failure();
    }
    auto removed = remove_state(ctx.state_path);
    if (!removed) return removed;
    if (!server_side) {
        std::cerr << "Session file deleted, but the server was not told: " << safe_line(server_side.failure().message) << "\n";
        return server_side;
    }
    if (!ctx.json) std::cout << "Logged out; " << ctx.state_path << " deleted.\n";
    return ok_status();
}

Status cmd_whoami(Ctx &ctx) {
    auto r = ctx.api->get("/me");
    if (!r) return r.failure();
    Json user = unwrap_object(r.value(), "user");
    if (ctx.json) {
        Json out = object();
        out.set("user", user);
        out.set("server", ctx.state->server);
        out.set("sessionExpiresAt", ctx.state->expires_at);
        out.set("publicKeyFingerprint", fingerprint(ctx.state->public_key));
        out.set("stateFile", ctx.state_path);
        std::cout << out.dump(true) << "\n";
        return ok_status();
    }
    std::cout << safe_line(user.str("email")) << " (" << safe_line(user.str("id")) << ")\n"
              << "  server:           " << safe_line(ctx.state->server) << "\n"
              << "  two-factor:       " << (user.boolean("totpEnabled") ? "TOTP enabled" : "off") << "\n"
              << "  key fingerprint:  " << fingerprint(ctx.state->public_key) << "\n"
              << "  session expires:  " << safe_line(ctx.state->expires_at) << " (or after 30 min idle)\n"
              << "  session file:     " << ctx.state_path << "\n";
    return ok_status();
}

}  // namespace mskanban::cli
