// Attachment files: a libsodium crypto_secretstream_xchacha20poly1305 stream under the
// Board Key, so a file is encrypted and decrypted in chunks and neither end holds it
// whole. Wire format (client/README.md, "Attachments"):
//   24-byte stream header, then the plaintext in chunks of exactly 64 KiB, each sealed
//   with 17 bytes of overhead (tag and MAC) and the AAD `attachment:<id>`; the last
//   chunk (0..64 KiB, an empty file has one empty chunk) carries TAG_FINAL.
// The reader refuses a chunk that fails to open (tampered, reordered, another file's),
// data after the final chunk, and a stream that ends without one (truncated).
#pragma once

#include <sodium.h>

#include <cstdint>
#include <string>

#include "crypto/result.hpp"
#include "crypto/secret.hpp"

namespace mskanban::crypto {

constexpr std::size_t kFileChunk = 64 * 1024;
constexpr std::size_t kFileHeader = crypto_secretstream_xchacha20poly1305_HEADERBYTES;  // 24
constexpr std::size_t kFileChunkOverhead = crypto_secretstream_xchacha20poly1305_ABYTES;  // 17

// The stream length of a `plain`-byte file.
std::uint64_t file_stream_bytes(std::uint64_t plain);

class FileSealer {
public:
    // `key`: the 32-byte Board Key. header() is the stream's first 24 bytes.
    FileSealer(const SecretBytes &key, std::string aad);
    ~FileSealer();
    const std::string &header() const { return header_; }
    // One chunk: at most kFileChunk bytes; `last` marks the final one.
    std::string seal(const std::string &plain, bool last);

private:
    crypto_secretstream_xchacha20poly1305_state st_;
    std::string aad_, header_;
};

class FileOpener {
public:
    FileOpener(const SecretBytes &key, std::string aad);
    ~FileOpener();
    // Feeds stream bytes; the plaintext of every chunk that completes is appended to
    // `out`. A failure (bad header, a chunk that does not open, data after the final
    // chunk) is final.
    Result<bool> feed(const char *p, std::size_t n, std::string &out);
    // The end of the stream: opens the last, shorter chunk; fails unless the final
    // chunk was seen (a truncated stream).
    Result<bool> finish(std::string &out);

private:
    Result<bool> open_chunk(const std::string &chunk, std::string &out);
    const SecretBytes &key_;
    crypto_secretstream_xchacha20poly1305_state st_;
    std::string aad_, buf_;
    bool started_ = false, done_ = false, failed_ = false;
};

}  // namespace mskanban::crypto
