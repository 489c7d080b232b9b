// Attachment commands: `card attach` encrypts a file chunk by chunk (a libsodium
// secretstream under the Board Key, AAD attachment:<id>; crypto/filestream.hpp) while
// it uploads; `attachment get` decrypts while it downloads, checking every chunk, and
// keeps the output only when the whole stream verified. The name, media type and size
// travel in one envelope (X-Attachment-Meta, same AAD). client/README.md, "Attachments".
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "card_parts.hpp"
#include "commands.hpp"
#include "crypto/aad.hpp"
#include "crypto/filestream.hpp"
#include "done.hpp"
#include "keyring.hpp"
#include "safe_text.hpp"
#include "transfer.hpp"

namespace mskanban::cli {

namespace c = mskanban::crypto;

namespace {

std::string attachment_aad(const std::string &id) { return c::aad::attachment(id); }

std::string base_name(const std::string &path) {
    auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// A media type from the extension; the server never sees it in plaintext.
std::string guess_type(const std::string &name) {
    static const std::pair<const char *, const char *> types[] = {
        {".pdf", "application/pdf"}, {".png", "image/png"}, {".jpg", "image/jpeg"}, {".jpeg", "image/jpeg"},
        {".gif", "image/gif"}, {".txt", "text/plain"}, {".md", "text/markdown"}, {".zip", "application/zip"},
        {".csv", "text/csv"}, {".json", "application/json"}};
    for (const auto &t : types) {
        std::string ext = t.first;
        if (name.size() > ext.size() && name.compare(name.size() - ext.size(), ext.size(), ext) == 0) return t.second;
    }
    return "application/octet-stream";
}

struct Meta {
    std::string name, type;
    long long size = -1;
};

Outcome<Meta> open_meta(const c::SecretBytes &bk, const Json &att) {
    std::string id = att.str("id");
    auto text = decrypt(bk, attachment_aad(id), att.str("encMeta"), "attachment " + id + " name");
    if (!text) return text.failure();
    Json m = parse(text.value());
    if (!m) return fail(kDecrypt, "attachment " + id + ": its metadata is not JSON");
    return Meta{m.str("name"), m.str("type"), m.num("size", -1)};
}

// The attachment's JSON and its board key (through its card).
Outcome<Json> attachment_info(Ctx &ctx, Keyring &keys, const std::string &id, const c::SecretBytes **bk) {
    auto r = ctx.api->get("/attachments/" + url_escape(id) + "/meta");
    if (!r) return r.failure();
    Json att = unwrap_object(r.value(), "attachment");
    auto key = card_board_key(ctx, keys, att.str("cardId"));
    if (!key) return key.failure();
    *bk = key.value();
    return att;
}

// A name from the envelope fit to be a file name here: no directories, no dot files.
std::string safe_file_name(const std::string &name, const std::string &id) {
    std::string n = base_name(name);
    std::string out;
    for (char ch : n) out += (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) ? '_' : ch;
    if (out.empty() || out[0] == '.') out = id + ".bin";
    return out;
}

}  // namespace

// card attach CARD_ID FILE [--name NAME] [--type TYPE]
Status cmd_card_attach(Ctx &ctx) {
    if (ctx.args.pos.size() != 2) return fail(kUsage, "usage: mskanban card attach CARD_ID FILE [--name NAME] [--type TYPE]");
    const std::string &card_id = ctx.args.pos[0], &file = ctx.args.pos[1];
    std::ifstream in(file, std::ios::binary);
    struct stat st;
    if (!in || stat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return fail(kUsage, "cannot read " + file);
    auto plain_size = static_cast<std::uint64_t>(st.st_size);
    Keyring keys(ctx);
    auto bk = card_board_key(ctx, keys, card_id);
    if (!bk) return bk.failure();
    std::string id = new_id();
    std::string name = ctx.args.get("name", base_name(file));
    Json meta = object();
    meta.set("name", name);
    meta.set("type", ctx.args.get("type", guess_type(name)));
    meta.set("size", Json::own(json_integer(static_cast<json_int_t>(plain_size))));
    std::string enc_meta = encrypt(*bk.value(), attachment_aad(id), meta.dump());

    c::FileSealer sealer(*bk.value(), attachment_aad(id));
    bool header_sent = false, final_sent = false;
    std::uint64_t read_total = 0;
    std::string chunk(c::kFileChunk, '\0');
    BodyProducer produce = [&](std::string &out, std::size_t) -> bool {
        if (!header_sent) {
            out = sealer.header();
            header_sent = true;
            return true;
        }
        if (final_sent) return false;
        in.read(&chunk[0], static_cast<std::streamsize>(c::kFileChunk));
        auto got = static_cast<std::size_t>(in.gcount());
        read_total += got;
        bool last = read_total >= plain_size;
        if (got < c::kFileChunk && !last) return false;  // the file shrank while reading
        if (last && read_total > plain_size) return false;  // or grew
        out = sealer.seal(chunk.substr(0, got), last);
        final_sent = last;
        return true;
    };
    auto r = upload_stream(ctx, "/cards/" + url_escape(card_id) + "/attachments",
                           {"X-Attachment-Id: " + id, "X-Attachment-Meta: " + enc_meta},
                           c::file_stream_bytes(plain_size), produce, "upload");
    if (!r) return r.failure();
    Json att = unwrap_object(r.value(), "attachment");
    if (att.str("id") != id) return fail(kGeneral, "the server stored the attachment under another id");
    return print_done(ctx, id, "Attached " + safe_line(name) + " (" + std::to_string(plain_size) + " bytes) as " + id + ".");
}

// attachment list CARD_ID
Status cmd_attachment_list(Ctx &ctx) {
    if (ctx.args.pos.size() != 1) return fail(kUsage, "usage: mskanban attachment list CARD_ID");
    const std::string &card_id = ctx.args.pos[0];
    Keyring keys(ctx);
    auto bk = card_board_key(ctx, keys, card_id);
    if (!bk) return bk.failure();
    auto r = ctx.api->get("/cards/" + url_escape(card_id) + "/attachments");
    if (!r) return r.failure();
    Json list = unwrap_list(r.value(), "attachments");
    Json out = array();
    std::vector<std::string> errors;
    for (size_t i = 0; i < list.size(); i++) {
        Json a = list.at(i);
        auto m = open_meta(*bk.value(), a);
        Meta meta = m ? m.value() : Meta{"[cannot decrypt]", "", -1};
        if (!m) errors.push_back(m.failure().message);
        if (ctx.json) {
            Json o = object();
            o.set("id", a.str("id"));
            o.set("name", meta.name);
            o.set("type", meta.type);
            o.set("size", Json::own(json_integer(meta.size)));
            o.set("storedBytes", Json::own(json_integer(a.num("size"))));
            o.set("createdAt", a.str("createdAt"));
            json_array_append_new(out.get(), json_incref(o.get()));
        } else {
            std::cout << safe_line(a.str("id")) << "  " << safe_line(meta.name) << "  " << meta.size << " bytes  "
                      << safe_line(meta.type) << "  " << safe_line(a.str("createdAt")) << "\n";
        }
    }
    if (ctx.json) std::cout << out.dump(true) << "\n";
    if (!errors.empty()) {
        for (const auto &e : errors) std::cerr << "mskanban: " << e << "\n";
        return fail(kDecrypt, std::to_string(errors.size()) + " attachment(s) could not be decrypted");
    }
    return ok_status();
}

// attachment get ATTACHMENT_ID [-o FILE | --output FILE]   ("-" for stdout)
Status cmd_attachment_get(Ctx &ctx) {
    if (ctx.args.pos.size() != 1 && !(ctx.args.pos.size() == 3 && ctx.args.pos[1] == "-o"))
        return fail(kUsage, "usage: mskanban attachment get ATTACHMENT_ID [-o FILE]");
    const std::string &id = ctx.args.pos[0];
    Keyring keys(ctx);
    const c::SecretBytes *bk = nullptr;
    auto att = attachment_info(ctx, keys, id, &bk);
    if (!att) return att.failure();
    auto meta = open_meta(*bk, att.value());
    if (!meta) return meta.failure();
    std::string target = ctx.args.pos.size() == 3 ? ctx.args.pos[2] : ctx.args.get("output", "");
    if (target.empty()) {
        target = safe_file_name(meta.value().name, id);
        if (access(target.c_str(), F_OK) == 0) return fail(kUsage, target + " exists; choose another with -o FILE");
    }
    bool to_stdout = target == "-";
    // Written next to the target and renamed over it only once every chunk verified.
    std::string part = to_stdout ? "" : target + ".part";
    std::FILE *out = to_stdout ? stdout : std::fopen(part.c_str(), "wb");
    if (!out) return fail(kGeneral, "cannot write " + part);
    c::FileOpener opener(*bk, attachment_aad(id));
    std::string plain, why;
    std::uint64_t written = 0;
    auto emit = [&]() -> bool {
        if (!plain.empty() && std::fwrite(plain.data(), 1, plain.size(), out) != plain.size()) {
            why = "cannot write the output";
            return false;
        }
        written += plain.size();
        plain.clear();
        return true;
    };
    BodyConsumer consume = [&](const char *p, std::size_t n) -> bool {
        auto r = opener.feed(p, n, plain);
        if (!r) {
            why = r.error().message;
            return false;
        }
        return emit();
    };
    auto st = download_stream(ctx, "/attachments/" + url_escape(id), consume, "download");
    bool ok = st.ok();
    if (ok) {
        auto fin = opener.finish(plain);
        if (!fin) why = fin.error().message;
        ok = fin.ok() && emit();
    }
    if (ok && meta.value().size >= 0 && written != static_cast<std::uint64_t>(meta.value().size)) {
        why = "the file has " + std::to_string(written) + " bytes, its metadata says " + std::to_string(meta.value().size);
        ok = false;
    }
    if (!to_stdout && std::fclose(out) != 0 && ok) {
        why = "cannot write " + part;
        ok = false;
    }
    if (!ok) {
        if (!to_stdout) std::remove(part.c_str());
        if (!st.ok() && why.empty()) return st.failure();
        return fail(kDecrypt, "attachment " + id + ": " + why + (to_stdout ? " (the output is incomplete)" : "; nothing written"));
    }
    if (!to_stdout && std::rename(part.c_str(), target.c_str()) != 0) return fail(kGeneral, "cannot write " + target);
    if (to_stdout) return ok_status();
    return print_done(ctx, id, "Saved " + safe_line(meta.value().name) + " to " + safe_line(target) + " (" +
                                   std::to_string(written) + " bytes, every chunk verified).");
}

// attachment rm ATTACHMENT_ID
Status cmd_attachment_rm(Ctx &ctx) {
    if (ctx.args.pos.size() != 1) return fail(kUsage, "usage: mskanban attachment rm ATTACHMENT_ID");
    auto r = ctx.api->del("/attachments/" + url_escape(ctx.args.pos[0]));
    if (!r) return r.failure();
    return print_done(ctx, ctx.args.pos[0], "Deleted attachment " + safe_line(ctx.args.pos[0]) + ".");
}

}  // namespace mskanban::cli
