// The one place where a request meets the route table: route match, method and body
// limits, CSRF rules, session, rate limit, the handler, and the conversion of any Error
// (or exception from a store) into the JSON error response.
#pragma once

#include "http.hpp"
#include "routes.hpp"

namespace msk {

// `body_too_large` is set by the caller when the body exceeded max_body_bytes (the body
// itself is then not read).
Response dispatch(Services &svc, Request &req, bool body_too_large);
Response error_response(const Error &e);

}  // namespace msk
