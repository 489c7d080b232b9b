// Envelope validation: shape and size only, never content.
#include "envelope.hpp"

#include "base64url.hpp"

namespace msk {

std::string envelope_problem(std::string_view text, size_t max_ciphertext_bytes) {
    if (text.substr(0, 3) != "v1.") return "must be an envelope v1.<nonce>.<ciphertext>";
    std::string_view rest = text.substr(3);
    size_t dot = rest.find('.');
    if (dot == std::string_view::npos) return "must be an envelope v1.<nonce>.<ciphertext>";
    std::string_view nonce = rest.substr(0, dot), ct = rest.substr(dot + 1);
    // Check lengths before decoding so oversize input costs nothing.
    long ct_len = b64url_decoded_len(ct.size());
    if (ct_len >= 0 && static_cast<size_t>(ct_len) > max_ciphertext_bytes)
        return "ciphertext larger than " + std::to_string(max_ciphertext_bytes) + " bytes";
    auto n = b64url_decode(nonce);
    if (!n || n->size() != kEnvelopeNonceBytes) return "nonce must be 24 bytes of base64url";
    auto c = b64url_decode(ct);
    if (!c) return "ciphertext must be base64url without padding";
    if (c->size() < kEnvelopeTagBytes) return "ciphertext shorter than the 16-byte tag";
    return {};
}

std::string fixed_b64url_problem(std::string_view text, size_t bytes) {
    if (text.size() > bytes * 2 + 4) return "must be " + std::to_string(bytes) + " bytes of base64url";
    auto d = b64url_decode(text);
    if (!d || d->size() != bytes) return "must be " + std::to_string(bytes) + " bytes of base64url";
    return {};
}

}  // namespace msk
