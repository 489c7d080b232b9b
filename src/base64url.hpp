// base64url without padding (RFC 4648 §5), the encoding of every binary field on the wire.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace msk {

std::string b64url_encode(const unsigned char *data, size_t len);
inline std::string b64url_encode(std::string_view bytes) {
    return b64url_encode(reinterpret_cast<const unsigned char *>(bytes.data()), bytes.size());
}
// Strict decode: only the URL-safe alphabet, no padding, no whitespace, and canonical
// trailing bits. Returns nullopt on any deviation.
std::optional<std::string> b64url_decode(std::string_view text);
// Length of the decoded bytes for a valid encoding of that length, or -1.
long b64url_decoded_len(size_t encoded_len);

std::string hex_encode(std::string_view bytes);
std::optional<std::string> hex_decode(std::string_view hex);

}  // namespace msk
