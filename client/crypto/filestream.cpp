// Attachment streams (see filestream.hpp).
#include "crypto/filestream.hpp"

namespace mskanban::crypto {

namespace {
const unsigned char *uc(const std::string &s) { return reinterpret_cast<const unsigned char *>(s.data()); }
}  // namespace

std::uint64_t file_stream_bytes(std::uint64_t plain) {
    std::uint64_t chunks = plain == 0 ? 1 : (plain + kFileChunk - 1) / kFileChunk;
    return kFileHeader + plain + chunks * kFileChunkOverhead;
}

FileSealer::FileSealer(const SecretBytes &key, std::string aad) : aad_(std::move(aad)), header_(kFileHeader, '\0') {
    crypto_secretstream_xchacha20poly1305_init_push(&st_, reinterpret_cast<unsigned char *>(&header_[0]), key.data());
}

FileSealer::~FileSealer() { sodium_memzero(&st_, sizeof st_); }

std::string FileSealer::seal(const std::string &plain, bool last) {
    std::string out(plain.size() + kFileChunkOverhead, '\0');
    unsigned long long len = 0;
    crypto_secretstream_xchacha20poly1305_push(
        &st_, reinterpret_cast<unsigned char *>(&out[0]), &len, uc(plain), plain.size(), uc(aad_), aad_.size(),
        last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
    out.resize(static_cast<std::size_t>(len));
    return out;
}

FileOpener::FileOpener(const SecretBytes &key, std::string aad) : key_(key), aad_(std::move(aad)) {}

FileOpener::~FileOpener() { sodium_memzero(&st_, sizeof st_); }

Result<bool> FileOpener::open_chunk(const std::string &chunk, std::string &out) {
    if (done_) {
        failed_ = true;
        return make_error(Errc::decrypt_failed, "data after the final chunk");
    }
    std::string plain(chunk.size() - kFileChunkOverhead, '\0');
    unsigned long long len = 0;
    unsigned char tag = 0;
    if (crypto_secretstream_xchacha20poly1305_pull(&st_, reinterpret_cast<unsigned char *>(&plain[0]), &len, &tag,
                                                   uc(chunk), chunk.size(), uc(aad_), aad_.size()) != 0) {
        failed_ = true;
        return make_error(Errc::decrypt_failed, "a chunk does not open: the file is damaged, reordered or not this attachment's");
    }
    out.append(plain, 0, static_cast<std::size_t>(len));
    if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) done_ = true;
    return true;
}

Result<bool> FileOpener::feed(const char *p, std::size_t n, std::string &out) {
    if (failed_) return make_error(Errc::decrypt_failed, "the stream already failed");
    buf_.append(p, n);
    if (!started_) {
        if (buf_.size() < kFileHeader) return true;
        if (crypto_secretstream_xchacha20poly1305_init_pull(&st_, uc(buf_), key_.data()) != 0) {
            failed_ = true;
            return make_error(Errc::decrypt_failed, "bad stream header");
        }
        started_ = true;
        buf_.erase(0, kFileHeader);
    }
    // A full-size chunk is opened only once more bytes follow it: the final chunk may
    // be full-size too, and finish() opens whatever is left.
    const std::size_t whole = kFileChunk + kFileChunkOverhead;
    std::size_t off = 0;
    while (buf_.size() - off > whole) {
        auto r = open_chunk(buf_.substr(off, whole), out);
        if (!r) return r;
        off += whole;
    }
    buf_.erase(0, off);
    return true;
}

Result<bool> FileOpener::finish(std::string &out) {
    if (failed_) return make_error(Errc::decrypt_failed, "the stream already failed");
    if (!started_) return make_error(Errc::decrypt_failed, "truncated: the stream ends inside its header");
    if (!buf_.empty()) {
        if (buf_.size() < kFileChunkOverhead) {
            failed_ = true;
            return make_error(Errc::decrypt_failed, "truncated: the stream ends inside a chunk");
        }
        auto r = open_chunk(buf_, out);
        buf_.clear();
        if (!r) return r;
    }
    if (!done_) return make_error(Errc::decrypt_failed, "truncated: the stream ends before its final chunk");
    return true;
}

}  // namespace mskanban::crypto
