// mskanbanctl's attachment work: `gc` removes files no row needs (queued by deleted
// cards, boards and workspaces, or moved into storage by an upload whose transaction
// never committed), `check` reports rows whose file is missing or has the wrong size.
#pragma once

#include <pqxx/pqxx>

#include <ostream>

#include "config.hpp"

namespace msk {

// Files unreferenced for at least this long are uncommitted uploads (an upload
// commits within its request, so an hour is far past any in flight).
constexpr long kOrphanMinAgeS = 3600;

struct AttachmentGcCounts {
    long queued = 0;   // files of deleted rows
    long orphans = 0;  // files without a row
};
AttachmentGcCounts gc_attachment_files(pqxx::connection &conn, const Config &cfg, long orphan_min_age_s);

// Prints one line per problem ("missing <attachmentId> card <cardId>" or "size ...")
// and returns how many there were.
long check_attachment_files(pqxx::connection &conn, const Config &cfg, std::ostream &out);

}  // namespace msk
