// The account export (GET /me/export, schema mskanban-export/1, docs/export.md) opened
// on the client: every workspace and board key is opened from the document itself (the
// user's copy of each Workspace Key, each board's wrapped Board Key), then every field
// is decrypted and the flat lists are nested: workspaces -> boards -> columns -> cards,
// each card with its checklists (and items), comments, custom field values and
// attachments. A field that fails to decrypt is "[cannot decrypt]" and named in
// `errors`, as for a board (board_data.hpp).
#pragma once

#include <string>
#include <vector>

#include "json.hpp"
#include "keyring.hpp"

namespace mskanban::cli {

constexpr const char *kExportSchema = "mskanban-export/1";

// The decrypted document ("format": "mskanban-export-decrypted/1"). Fails (kGeneral)
// when `doc` is not an mskanban-export/1 document.
Outcome<Json> decrypt_export(Keyring &keys, const Json &doc, const std::string &only_workspace,
                             std::vector<std::string> &errors);

// The decrypted document as Markdown: one section per workspace, board and column, a
// bullet per card with its fields, checklists and comments.
std::string export_markdown(const Json &plain);

}  // namespace mskanban::cli
