// Strict UTF-8 validation for decrypted text.
//
// Every text field's plaintext is bare UTF-8 (RFC 3629): no terminator, no
// byte-order mark added or removed. A plaintext that is not valid UTF-8 was
// written by a faulty or hostile client; readers refuse it like a failed
// decryption instead of guessing (docs/client.md, "Plaintext encoding").
// "Valid" is exactly what a WHATWG TextDecoder with {fatal: true} accepts:
// no overlong forms, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF,
// no truncated sequence. NUL and other control characters are valid UTF-8;
// showing them safely is the display layer's job.
#pragma once

#include <cstddef>
#include <string>

namespace mskanban::crypto {

bool valid_utf8(const unsigned char *p, std::size_t n);
inline bool valid_utf8(const std::string &s) {
    return valid_utf8(reinterpret_cast<const unsigned char *>(s.data()), s.size());
}

}  // namespace mskanban::crypto
