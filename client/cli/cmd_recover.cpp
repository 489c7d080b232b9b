// mskanban recover EMAIL: regain an account with the recovery phrase after losing the
// password (docs/decisions.md "Account recovery").
//
// POST /auth/recovery/init gives the USK and the X25519 secret key wrapped by the
// recovery key; the phrase opens them here (a wrong phrase fails to decrypt, before the
// server is asked anything else). The new password gets fresh salts, a new Master Key and
// authHash, and rewraps both keys; a NEW recovery phrase wraps them again. POST
// /auth/recovery proves the old phrase with its verifier and swaps everything in one
// transaction (every session ends, TOTP is turned off, security keys are removed). The
// new phrase is printed once, on stderr, and the command logs in with the new password.
//
// mskanban recovery rotate: the signed-in user replaces the phrase (or sets one, for an
// account registered before recovery verifiers existed). The password gives the authHash,
// a NEW phrase wraps the session's USK and secret key, and PUT /me/recovery stores the
// wraps and the verifier (with a TOTP code when two-factor login is on); the old phrase
// stops working.
#include <iostream>

#include "commands.hpp"
#include "crypto/hierarchy.hpp"
#include "login_flow.hpp"
#include "prompt.hpp"

namespace mskanban::cli {

namespace c = mskanban::crypto;

namespace {

// The phrase goes to the terminal only: stderr, so `--json > file` never captures it.
void show_new_phrase(const std::string &what_happened, const std::string &phrase) {
    std::cerr << "\n" << what_happened
              << "\nYour NEW recovery phrase (shown once; the old one no longer works):\n\n    " << phrase << "\n\n";
}

}  // namespace

Status cmd_recover(Ctx &ctx) {
    if (ctx.args.pos.size() != 1) return fail(kUsage, "usage: mskanban recover EMAIL");
    std::string email = ctx.args.pos[0];
    Json init_body = object();
    init_body.set("email", email);
    auto init = ctx.api->post("/auth/recovery/init", init_body);
    if (!init) return init.failure();

    auto phrase = read_recovery_phrase(ctx.args.get("phrase-file"));
    if (!phrase) return phrase.failure();
    auto opened = c::open_recovery(phrase.value(), init.value().str("encRecoveryBlob"),
                                   init.value().str("encRecoveryPrivateKey"));
    c::wipe_string(phrase.value());
    if (!opened && opened.error().code == c::Errc::invalid_input)
        return fail(kUsage, "that is not a recovery phrase: " + opened.error().message);
    if (!opened)
        return fail(kAuth, "the recovery phrase does not open this account's keys (wrong phrase or email?): " +
                               opened.error().message);
    const c::AccountKeys &keys = opened.value().keys;

    auto pw = read_password(PasswordSource{ctx.args.get("password-file")}, "New password for " + email + ": ", true);
    if (!pw) return pw.failure();
    if (pw.value().size() < 8) {
        c::wipe_string(pw.value());
        return fail(kUsage, "choose a password of at least 8 characters");
    }
    std::cerr << "Deriving keys (Argon2id, 64 MiB)...\n";
    auto wrap = c::wrap_with_password(pw.value(), c::KdfParams{}, keys.usk, keys.keypair.secret_key);
    c::wipe_string(pw.value());
    if (!wrap) return fail(kGeneral, "cannot wrap the keys: " + wrap.error().message);
    auto next = c::new_recovery(keys.usk, keys.keypair.secret_key);
    if (!next) return fail(kGeneral, "cannot make a new recovery phrase: " + next.error().message);
    const c::PasswordWrap &w = wrap.value();

    Json body = password_body(email, w.auth_hash, w.kdf, w.kdf_salt, w.auth_salt, w.enc_private_key,
                              w.enc_symmetric_key);
    body.set("recoveryVerifier", opened.value().verifier);
    body.set("encRecoveryBlob", next.value().enc_recovery_blob);
    body.set("encRecoveryPrivateKey", next.value().enc_recovery_private_key);
    body.set("newRecoveryVerifier", next.value().verifier);
    auto r = ctx.api->post("/auth/recovery", body);
    if (!r) {
        if (r.failure().exit_code == kAuth)
            return fail(kAuth, "recovery refused: " + r.failure().message);
        return r.failure();
    }

    show_new_phrase("Account recovered: every other session has ended, two-factor login is off (enroll again).",
                    next.value().phrase);
    auto login = post_login(ctx, email, w.auth_hash);
    if (!login) return login.failure();
    return finish_login(ctx, email, w.master_key, login.value());
}

Status cmd_recovery_rotate(Ctx &ctx) {
    if (!ctx.args.pos.empty()) return fail(kUsage, "usage: mskanban recovery rotate [--totp CODE]");
    const SessionState &s = *ctx.state;
    // The TOTP code PUT /me/recovery needs when TOTP is on, asked before the password.
    auto totp = totp_if_enabled(ctx);
    if (!totp) return totp.failure();
    auto unlocked = unlock_with_password(ctx, s.email);
    if (!unlocked) return unlocked.failure();
    auto next = c::new_recovery(s.usk, s.private_key);
    if (!next) return fail(kGeneral, "cannot make a new recovery phrase: " + next.error().message);

    Json body = object();
    body.set("authHash", unlocked.value().auth_hash);
    if (!totp.value().empty()) body.set("totp", totp.value());
    body.set("encRecoveryBlob", next.value().enc_recovery_blob);
    body.set("encRecoveryPrivateKey", next.value().enc_recovery_private_key);
    body.set("recoveryVerifier", next.value().verifier);
    auto r = ctx.api->call("PUT", "/me/recovery", body);
    if (!r) {
        // The account's step-up factor is a security key: a terminal cannot sign its
        // challenge (docs/client.md), so say where the phrase can be rotated instead.
        if (r.failure().api_code == "WEBAUTHN_REQUIRED")
            return fail(kAuth, "recovery phrase not changed: this account has a security key, which the CLI "
                               "cannot use; rotate the phrase in a browser client, or turn TOTP on and pass --totp");
        if (r.failure().http_status == 403)
            return fail(kAuth, "recovery phrase not changed (wrong password or TOTP code?): " + r.failure().message);
        return r.failure();
    }
    show_new_phrase("Recovery phrase replaced.", next.value().phrase);
    if (ctx.json) std::cout << "{\"recoveryPhraseRotated\": true}\n";
    else std::cout << "Recovery phrase replaced; write the new one down (it is on stderr above).\n";
    return ok_status();
}

}  // namespace mskanban::cli
