// Base64url without padding (RFC 4648 section 5), the encoding of every binary
// field on the MSKanban wire: salts, keys, envelope nonces and ciphertexts.
//
// Decoding is strict: padding, whitespace and the standard alphabet's '+' '/'
// are refused, so one value has exactly one spelling.
#pragma once

#include <string>
#include <vector>

#include "result.hpp"
#include "secret.hpp"

namespace mskanban::crypto {

std::string b64url_encode(const unsigned char *p, std::size_t n);
std::string b64url_encode(const std::vector<unsigned char> &v);
std::string b64url_encode(const SecretBytes &s);

Result<std::vector<unsigned char>> b64url_decode(const std::string &s);
// Decode straight into a SecretBytes (for keys), optionally requiring a size
// (0 means any size).
Result<SecretBytes> b64url_decode_secret(const std::string &s, std::size_t want = 0);

}  // namespace mskanban::crypto
