// Checks and produces client crypto cases (see client_crypto_cases.hpp). Each
// check mirrors one in t/js/client-crypto.mjs so both implementations are held
// to the same document.
#include "client_crypto_cases.hpp"

#include <vector>

#include "crypto/aad.hpp"
#include "crypto/b64url.hpp"
#include "crypto/envelope.hpp"
#include "crypto/hierarchy.hpp"
#include "crypto/keypair.hpp"
#include "crypto/recovery.hpp"

namespace mskanban::testing {

namespace c = mskanban::crypto;

namespace {

std::string str(json_t *o, const char *k) {
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

std::vector<unsigned char> bytes(json_t *o, const char *k) {
    auto r = c::b64url_decode(str(o, k));
    return r ? r.value() : std::vector<unsigned char>{};
}

c::SecretBytes secret(json_t *o, const char *k) {
    auto v = bytes(o, k);
    return c::SecretBytes(v.data(), v.size());
}

c::KdfParams params(json_t *o) {
    json_t *k = json_object_get(o, "kdf");
    c::KdfParams p;
    p.memory_kib = static_cast<uint32_t>(json_integer_value(json_object_get(k, "memoryKiB")));
    p.iterations = static_cast<uint32_t>(json_integer_value(json_object_get(k, "iterations")));
    p.parallelism = static_cast<uint32_t>(json_integer_value(json_object_get(k, "parallelism")));
    return p;
}

std::string text(const c::Result<std::string> &r) { return r ? r.value() : "<error: " + r.error().message + ">"; }
std::string b64(const c::Result<c::SecretBytes> &r) { return r ? c::b64url_encode(r.value()) : "<error>"; }

int check_one(json_t *e, const std::string &section, const Report &report) {
    int failed = 0;
    auto ok = [&](bool cond, const std::string &name) {
        if (!cond) failed++;
        report(cond, name);
    };
    if (section == "kdf") {
        auto u = c::unlock(str(e, "password"), bytes(e, "kdfSalt"), bytes(e, "authSalt"), params(e));
        bool good = u && u.value().auth_hash == str(e, "authHash") &&
                    (str(e, "masterKey").empty() ||
                     c::b64url_encode(u.value().master_key) == str(e, "masterKey"));
        ok(good, "kdf authHash (" + std::to_string(params(e).memory_kib) + " KiB)");
    } else if (section == "envelopes") {
        auto key = secret(e, "key");
        ok(text(c::open_envelope_text(key, str(e, "aad"), str(e, "envelope"))) == str(e, "plaintext"),
           "envelope opens (" + str(e, "aad") + ")");
        if (!str(e, "nonce").empty()) {
            std::string pt = str(e, "plaintext");
            auto env = c::seal_envelope_with_nonce(key, str(e, "aad"),
                                                   reinterpret_cast<const unsigned char *>(pt.data()),
                                                   pt.size(), bytes(e, "nonce"));
            ok(text(env) == str(e, "envelope"), "envelope bytes identical (" + str(e, "aad") + ")");
        }
    } else if (section == "x25519") {
        auto kp = c::keypair_from_secret(secret(e, "secretKey"));
        ok(kp && c::b64url_encode(kp.value().public_key) == str(e, "publicKey"), "x25519 public from secret");
    } else if (section == "recovery") {
        auto entropy = secret(e, "entropy");
        bool good = text(c::recovery_phrase_from_entropy(entropy)) == str(e, "phrase") &&
                    b64(c::recovery_entropy_from_phrase(str(e, "phrase"))) == str(e, "entropy") &&
                    b64(c::recovery_key(entropy)) == str(e, "recoveryKey");
        ok(good, "recovery phrase and key");
    } else if (section == "sealedWorkspaceKeys") {
        auto kp = c::keypair_from_secret(secret(e, "secretKey"));
        bool good = kp && c::b64url_encode(kp.value().public_key) == str(e, "publicKey") &&
                    b64(c::open_sealed_workspace_key(kp.value(), str(e, "wsId"), str(e, "sealed"))) ==
                        str(e, "workspaceKey") &&
                    !c::open_sealed_workspace_key(kp.value(), "cotherws", str(e, "sealed"));
        ok(good, "sealed workspace key opens (and not for another workspace)");
    } else if (section == "accounts") {
        auto u = c::unlock(str(e, "password"), bytes(e, "kdfSalt"), bytes(e, "authSalt"), params(e));
        bool good = u && u.value().auth_hash == str(e, "authHash");
        if (good) {
            auto keys = c::open_account_keys(u.value().master_key, str(e, "encSymmetricKey"),
                                             str(e, "encPrivateKey"), str(e, "publicKey"));
            good = keys && c::b64url_encode(keys.value().usk) == str(e, "usk") &&
                   c::b64url_encode(keys.value().keypair.secret_key) == str(e, "privateKey") &&
                   b64(c::recover_usk(str(e, "recoveryPhrase"), str(e, "encRecoveryBlob"))) == str(e, "usk");
        }
        ok(good, "account bundle unlocks");
    } else if (section == "hierarchy") {
        auto wk = c::unwrap_workspace_key(secret(e, "usk"), str(e, "wsId"), str(e, "encWorkspaceKey"));
        bool good = wk && c::b64url_encode(wk.value()) == str(e, "workspaceKey");
        if (good) {
            auto bk = c::unwrap_board_key(wk.value(), str(e, "boardId"), str(e, "encBoardKey"));
            good = bk && c::b64url_encode(bk.value()) == str(e, "boardKey") &&
                   text(c::open_envelope_text(bk.value(), c::aad::card(str(e, "cardId")), str(e, "encTitle"))) == str(e, "title") &&
                   text(c::open_envelope_text(bk.value(), c::aad::column(str(e, "columnId")), str(e, "encColumnName"))) == str(e, "columnName") &&
                   text(c::open_envelope_text(wk.value(), c::aad::workspace(str(e, "wsId")), str(e, "encWorkspaceName"))) == str(e, "workspaceName") &&
                   !c::open_envelope(bk.value(), c::aad::card("cother"), str(e, "encTitle"));
        }
        ok(good, "hierarchy usk -> wk -> bk -> card title");
    } else if (section == "text") {  // strict UTF-8, kept byte for byte (NUL and BOM included)
        json_t *want = json_object_get(e, "text");
        auto pt = c::open_envelope(secret(e, "key"), str(e, "aad"), str(e, "envelope"));
        std::string hex;
        if (pt) {
            static const char digits[] = "0123456789abcdef";
            for (std::size_t i = 0; i < pt.value().size(); i++) {
                hex += digits[pt.value().data()[i] >> 4];
                hex += digits[pt.value().data()[i] & 15];
            }
        }
        auto t = c::open_envelope_text(secret(e, "key"), str(e, "aad"), str(e, "envelope"));
        bool good = pt && hex == str(e, "plaintextHex") &&
                    (json_is_null(want) ? (!t && t.error().code == c::Errc::not_utf8)
                                        : (t && t.value() == std::string(json_string_value(want), json_string_length(want))));
        ok(good, "text field (" + str(e, "why") + ")");
    } else if (section == "base64url") {  // strict: no padding, URL-safe alphabet, canonical trailing bits
        auto r = c::b64url_decode(str(e, "text"));
        json_t *hex = json_object_get(e, "hex");
        bool good;
        if (json_is_null(hex)) {
            good = !r;
        } else {
            std::string h;
            static const char digits[] = "0123456789abcdef";
            if (r)
                for (unsigned char b : r.value()) { h += digits[b >> 4]; h += digits[b & 15]; }
            good = r && h == json_string_value(hex) && c::b64url_encode(r.value()) == str(e, "text");
        }
        ok(good, "base64url \"" + str(e, "text") + "\" (" + str(e, "why") + ")");
    } else if (section == "fingerprints") {
        ok(c::public_key_fingerprint(bytes(e, "publicKey")) == str(e, "fingerprint"), "public key fingerprint");
    } else if (section == "recoveryParsing") {
        auto r = c::recovery_entropy_from_phrase(str(e, "phrase"));
        json_t *want = json_object_get(e, "entropy");
        ok(json_is_null(want) ? !r : (r && c::b64url_encode(r.value()) == json_string_value(want)),
           "recovery phrase parsing (" + str(e, "why") + ")");
    } else if (section == "mustFail") {
        auto r = c::open_envelope(secret(e, "key"), str(e, "aad"), str(e, "envelope"));
        ok(!r && r.error().code == c::Errc::decrypt_failed, "refused: " + str(e, "why"));
    }
    return failed;
}

}  // namespace

int check_section(json_t *doc, const std::string &section, const Report &report) {
    json_t *arr = json_object_get(doc, section.c_str());
    if (!json_is_array(arr) || json_array_size(arr) == 0) {
        report(false, "section " + section + " present");
        return 1;
    }
    int failed = 0;
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e) failed += check_one(e, section, report);
    return failed;
}

int check_all(json_t *doc, const Report &report) {
    int failed = 0;
    for (const char *s : {"kdf", "envelopes", "x25519", "recovery", "sealedWorkspaceKeys", "accounts",
                          "hierarchy", "mustFail"})
        failed += check_section(doc, s, report);
    // Fixed-only sections (t/vectors/client-crypto.json); fresh cases do not carry them.
    for (const char *s : {"text", "base64url", "fingerprints", "recoveryParsing"})
        if (json_object_get(doc, s)) failed += check_section(doc, s, report);
    return failed;
}

json_t *make_fresh_cases() {
    using c::b64url_encode;
    json_t *doc = json_object();
    auto arr = [&](const char *k) {
        json_t *a = json_array();
        json_object_set_new(doc, k, a);
        return a;
    };
    auto kdf_json = [](const c::KdfParams &p) {
        return json_pack("{s:i,s:i,s:i}", "memoryKiB", (json_int_t)p.memory_kib, "iterations",
                         (json_int_t)p.iterations, "parallelism", (json_int_t)p.parallelism);
    };
    const c::KdfParams full;

    {  // kdf
        c::SecretBytes ks = c::SecretBytes::random(16), as = c::SecretBytes::random(16);
        std::vector<unsigned char> kv(ks.data(), ks.data() + 16), av(as.data(), as.data() + 16);
        std::string pw = "interop pässwörd " + b64url_encode(c::SecretBytes::random(6));
        auto u = c::unlock(pw, kv, av, full);
        json_array_append_new(arr("kdf"), json_pack("{s:s,s:o,s:s,s:s,s:s,s:s}", "password", pw.c_str(),
                                                    "kdf", kdf_json(full), "kdfSalt", b64url_encode(kv).c_str(),
                                                    "authSalt", b64url_encode(av).c_str(), "masterKey",
                                                    b64url_encode(u.value().master_key).c_str(), "authHash",
                                                    u.value().auth_hash.c_str()));
    }
    {  // envelopes
        json_t *a = arr("envelopes");
        for (const char *pt : {"Ship it ✓", "", "a longer description\nwith two lines"}) {
            auto key = c::new_key();
            std::string aad = c::aad::card("c" + b64url_encode(c::SecretBytes::random(6)));
            json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:s}", "key", b64url_encode(key).c_str(), "aad",
                                               aad.c_str(), "plaintext", pt, "envelope",
                                               c::seal_envelope(key, aad, pt).value().c_str()));
        }
    }
    {  // x25519, sealed workspace key
        auto kp = c::generate_keypair();
        json_array_append_new(arr("x25519"), json_pack("{s:s,s:s}", "secretKey", b64url_encode(kp.secret_key).c_str(),
                                                        "publicKey", b64url_encode(kp.public_key).c_str()));
        auto wk = c::new_key();
        json_array_append_new(arr("sealedWorkspaceKeys"),
                              json_pack("{s:s,s:s,s:s,s:s,s:s}", "publicKey", b64url_encode(kp.public_key).c_str(),
                                        "secretKey", b64url_encode(kp.secret_key).c_str(), "wsId", "cwsfresh",
                                        "workspaceKey", b64url_encode(wk).c_str(), "sealed",
                                        c::seal_workspace_key(kp.public_key, "cwsfresh", wk).value().c_str()));
    }
    {  // recovery
        auto entropy = c::SecretBytes::random(32);
        json_array_append_new(arr("recovery"),
                              json_pack("{s:s,s:s,s:s}", "entropy", b64url_encode(entropy).c_str(), "phrase",
                                        c::recovery_phrase_from_entropy(entropy).value().c_str(), "recoveryKey",
                                        b64url_encode(c::recovery_key(entropy).value()).c_str()));
    }
    {  // account
        std::string pw = "correct horse battery staple";
        auto a = c::create_account(pw, full);
        auto &v = a.value();
        json_t *o = json_pack("{s:s,s:o,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "password", pw.c_str(), "kdf",
                              kdf_json(full), "kdfSalt", b64url_encode(v.kdf_salt).c_str(), "authSalt",
                              b64url_encode(v.auth_salt).c_str(), "authHash", v.auth_hash.c_str(), "publicKey",
                              v.public_key.c_str(), "encSymmetricKey", v.enc_symmetric_key.c_str(),
                              "encPrivateKey", v.enc_private_key.c_str(), "encRecoveryBlob",
                              v.enc_recovery_blob.c_str(), "recoveryPhrase", v.recovery_phrase.c_str(), "usk",
                              b64url_encode(v.usk).c_str(), "privateKey",
                              b64url_encode(v.keypair.secret_key).c_str());
        json_array_append_new(arr("accounts"), o);
    }
    {  // hierarchy
        auto usk = c::new_key(), wk = c::new_key(), bk = c::new_key();
        std::string ws = "cwsfresh", board = "cboardfresh", card = "ccardfresh", col = "ccolfresh";
        json_t *o = json_pack(
            "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "usk", b64url_encode(usk).c_str(), "wsId", ws.c_str(),
            "workspaceKey", b64url_encode(wk).c_str(), "boardId", board.c_str(), "boardKey",
            b64url_encode(bk).c_str(), "cardId", card.c_str(), "title", "Fix the login bug ✓", "columnId",
            col.c_str(), "columnName", "Doing", "workspaceName", "Team Beta");
        json_object_set_new(o, "encWorkspaceKey", json_string(c::wrap_workspace_key(usk, ws, wk).value().c_str()));
        json_object_set_new(o, "encBoardKey", json_string(c::wrap_board_key(wk, board, bk).value().c_str()));
        json_object_set_new(o, "encTitle", json_string(c::seal_envelope(bk, c::aad::card(card), "Fix the login bug ✓").value().c_str()));
        json_object_set_new(o, "encColumnName", json_string(c::seal_envelope(bk, c::aad::column(col), "Doing").value().c_str()));
        json_object_set_new(o, "encWorkspaceName", json_string(c::seal_envelope(wk, c::aad::workspace(ws), "Team Beta").value().c_str()));
        json_array_append_new(arr("hierarchy"), o);

        json_t *f = arr("mustFail");
        std::string title_env = c::seal_envelope(bk, c::aad::card(card), "secret title").value();
        json_array_append_new(f, json_pack("{s:s,s:s,s:s,s:s}", "why", "card ciphertext moved to another card", "key",
                                           b64url_encode(bk).c_str(), "aad", "card:cother", "envelope", title_env.c_str()));
        json_array_append_new(f, json_pack("{s:s,s:s,s:s,s:s}", "why", "wrong key", "key",
                                           b64url_encode(wk).c_str(), "aad", c::aad::card(card).c_str(), "envelope",
                                           title_env.c_str()));
    }
    return doc;
}

}  // namespace mskanban::testing
