// WebAuthn ceremony checks that need no database: clientDataJSON (type, challenge,
// origin), the attestationObject of a registration (formats "none" and "packed") and the
// signature of an assertion. CBOR is parsed with libcbor and every signature, rpIdHash and
// flag check is libfido2's (docs/decisions.md says why); nothing here trusts the browser's
// own parsing. Pure functions of their inputs, so they are unit-tested without a server.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "error.hpp"

namespace msk {

// COSE algorithm numbers the server accepts.
constexpr int kCoseEs256 = -7;
constexpr int kCoseEdDsa = -8;
constexpr int kCoseRs256 = -257;

// What the relying party expects of every ceremony (from the config).
struct RpPolicy {
    std::string rp_id;
    std::string rp_name;
    std::vector<std::string> origins;  // exact origins the browser may report
    bool require_uv = false;           // user verification flag must be set
    std::string user_verification = "preferred";  // what the options ask of the browser
};

// The challenge a clientDataJSON carries (base64url text as the browser wrote it), after
// checking that it is a JSON object; 400 otherwise.
Result<std::string> client_data_challenge(const std::string &client_data_json);
// The rest of clientDataJSON: `type` ("webauthn.create" / "webauthn.get"), the challenge
// (constant time against `challenge`), an origin from `policy.origins`, crossOrigin not
// true. A mismatch is a 400 naming the field (the client cannot fix it by retrying).
Status check_client_data(const std::string &client_data_json, const char *type, const std::string &challenge,
                         const RpPolicy &policy);

struct NewCredential {
    std::string credential_id;  // raw bytes
    std::string public_key;     // libfido2's raw form (es256: x||y; eddsa: 32 bytes; rs256: n||e)
    int cose_alg = 0;
    uint32_t sign_count = 0;
    std::string fmt;
};
// Verifies a registration: the attestationObject (CBOR map fmt, attStmt, authData) against
// the clientDataJSON it was made for, the rp id hash, the UP (and UV) flags and, for
// "packed", the attestation signature (x5c or self attestation). Attestation certificates
// are not checked against a trust list: any authenticator may be used. 400 when invalid.
Result<NewCredential> verify_registration(const std::string &attestation_object,
                                          const std::string &client_data_json, const RpPolicy &policy);

// Verifies an assertion made by the stored key: signature over authenticatorData ||
// SHA-256(clientDataJSON), rp id hash, UP (and UV) flags. Returns the authenticator's sign
// count. 400 for a malformed assertion, 401 for a signature that does not verify.
Result<uint32_t> verify_assertion(const std::string &public_key, int cose_alg,
                                  const std::string &authenticator_data, const std::string &client_data_json,
                                  const std::string &signature, const RpPolicy &policy);

// The sign-count rule: a new count must be larger than the stored one, except that an
// authenticator which keeps no counter reports 0 every time (0 after 0 is allowed).
bool sign_count_ok(int64_t stored, uint32_t presented);

}  // namespace msk
