// The JSON of WebAuthn on the wire, shared by the /auth/webauthn and /me/webauthn routes
// (fcgi/handlers/webauthn.cpp) and the login step (fcgi/handlers/auth.cpp): request
// options in the shape navigator.credentials.create()/get() take once their base64url
// fields are decoded, and the assertion a client sends back.
#pragma once

#include <optional>

#include "../routes.hpp"
#include "webauthn.hpp"

namespace msk {

// The "webauthn" object of a login body, if present: {credentialId, clientDataJSON,
// authenticatorData, signature}, all base64url. 400 naming the field when malformed.
Result<std::optional<WebauthnAssertion>> webauthn_assertion_field(const json_t *body);
// The second-factor fields of a body that proves a fresh login (POST /auth/login,
// DELETE /me): "totp" (6 digits) and "webauthn", each optional. 400 when malformed.
Status second_factor_fields(const json_t *body, std::optional<std::string> &totp,
                            std::optional<WebauthnAssertion> &webauthn);
// PublicKeyCredentialRequestOptions for an offer (challenge, rpId, allowCredentials, ...).
json_t *webauthn_offer_json(const WebauthnOffer &offer);

}  // namespace msk
