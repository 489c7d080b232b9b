// Associated-data labels: what each envelope is bound to.
//
// The AAD of an envelope names the object (and for key wraps, the role) the
// value belongs to. A reader rebuilds it from the id it requested, so the
// server cannot move a ciphertext to another object or role unnoticed. These
// strings are part of the wire contract: browser clients must use the same
// bytes (ASCII, no trailing NUL). See docs/client.md.
#pragma once

#include <string>

namespace mskanban::crypto::aad {

// Account keys, wrapped at registration before the user id exists, so they
// are bound to their role only (each user's Master Key is different anyway).
inline std::string user_symmetric_key() { return "user:usk"; }          // USK under Master Key
inline std::string user_private_key() { return "user:x25519-secret"; }  // X25519 sk under Master Key
inline std::string recovery_blob() { return "recovery:usk"; }           // USK under recovery key
inline std::string recovery_private_key() { return "recovery:x25519-secret"; }  // X25519 sk under recovery key

// Key wraps lower in the hierarchy are bound to the object's id.
inline std::string workspace_key(const std::string &ws_id) { return "workspace-key:" + ws_id; }  // WK under USK
inline std::string board_key(const std::string &board_id) { return "board-key:" + board_id; }  // BK under WK

// Content. Workspace names are under the Workspace Key; everything on a board
// (board, column, card fields) under the Board Key. All fields of one object
// share its label.
inline std::string workspace(const std::string &id) { return "workspace:" + id; }
inline std::string board(const std::string &id) { return "board:" + id; }
inline std::string column(const std::string &id) { return "column:" + id; }
inline std::string card(const std::string &id) { return "card:" + id; }
inline std::string label(const std::string &id) { return "label:" + id; }
inline std::string comment(const std::string &id) { return "comment:" + id; }
inline std::string milestone(const std::string &id) { return "milestone:" + id; }
inline std::string checklist(const std::string &id) { return "checklist:" + id; }
inline std::string checklist_item(const std::string &id) { return "checklist-item:" + id; }
inline std::string card_template(const std::string &id) { return "template:" + id; }
inline std::string custom_field(const std::string &id) { return "custom-field:" + id; }  // name and options
// An attachment's envelope (name, type, size) and every chunk of its file stream.
inline std::string attachment(const std::string &id) { return "attachment:" + id; }
// A card's value of a custom field is bound to both: it cannot move to another card or field.
inline std::string field_value(const std::string &card_id, const std::string &field_id) {
    return "card:" + card_id + "/field:" + field_id;
}

}  // namespace mskanban::crypto::aad
