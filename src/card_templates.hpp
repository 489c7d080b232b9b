// Card templates: one ciphertext per template (title, description, checklist, labels as
// the client encodes them; AAD `template:<id>`) saved on a board. The server only stores,
// lists and deletes them; the client applies one through the ordinary card routes. Size
// (checked by the handler) and count per board are bounded by the config; a template is
// not edited in place (save a new one, delete the old).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db.hpp"
#include "error.hpp"

namespace msk {

class Redis;

struct CardTemplate {
    std::string id, board_id, enc_body;
    std::optional<std::string> created_by;
    std::string created_at, updated_at;
};

Result<std::vector<CardTemplate>> list_card_templates(Tx &tx, const std::string &user_id, const std::string &board_id);
// 409 when the id is taken or the board holds `max_per_board` templates already.
Result<CardTemplate> create_card_template(Tx &tx, Redis &redis, const std::string &user_id,
                                          const std::string &board_id, const std::string &id,
                                          const std::string &enc_body, long max_per_board);
Status delete_card_template(Tx &tx, Redis &redis, const std::string &user_id, const std::string &template_id);

}  // namespace msk
