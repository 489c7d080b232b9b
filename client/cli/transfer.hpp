// Streaming transfers for attachments: an upload whose body is produced chunk by chunk
// (never the whole file in memory) and a download whose body is consumed chunk by
// chunk, both over libcurl with the session cookie, and a progress bar on stderr when
// it is a terminal. HTTP errors map to Failures as in api.hpp (JSON error shape).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "context.hpp"
#include "json.hpp"

namespace mskanban::cli {

// Fills `out` with the next bytes of the body (at most `max`); returns false to abort.
using BodyProducer = std::function<bool(std::string &out, std::size_t max)>;
// Takes the next bytes of a successful response; returns false to abort.
using BodyConsumer = std::function<bool(const char *p, std::size_t n)>;

// POST `path` with a body of exactly `length` bytes from `produce`, extra headers
// ("Name: value") and an Idempotency-Key; the JSON answer.
Outcome<Json> upload_stream(Ctx &ctx, const std::string &path, std::vector<std::string> headers, std::uint64_t length,
                            const BodyProducer &produce, const std::string &label);
// GET `path`; a 2xx body goes to `consume`, an error answer becomes a Failure.
Status download_stream(Ctx &ctx, const std::string &path, const BodyConsumer &consume, const std::string &label);

}  // namespace mskanban::cli
