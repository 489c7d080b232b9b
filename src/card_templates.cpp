// Card templates (see card_templates.hpp). Queries in src/queries/card_templates.sql.
#include "card_templates.hpp"

#include "board_parts.hpp"

namespace msk {

namespace {

CardTemplate template_from(const pqxx::row &r) {
    CardTemplate t;
    t.id = r["id"].as<std::string>();
    t.board_id = r["board_id"].as<std::string>();
    t.enc_body = r["enc_body"].as<std::string>();
    t.created_by = opt_str(r, "created_by");
    t.created_at = r["created_at"].as<std::string>();
    t.updated_at = r["updated_at"].as<std::string>();
    return t;
}

}  // namespace

Result<std::vector<CardTemplate>> list_card_templates(Tx &tx, const std::string &user_id, const std::string &board_id) {
    auto a = authorize_board_parts(tx, user_id, board_id, Need::read);
    if (!a) return a.error();
    std::vector<CardTemplate> out;
    for (const auto &row : tx.exec_prepared("card_templates_of_board", board_id)) out.push_back(template_from(row));
    return out;
}

Result<CardTemplate> create_card_template(Tx &tx, Redis &redis, const std::string &user_id,
                                          const std::string &board_id, const std::string &id,
                                          const std::string &enc_body, long max_per_board) {
    auto a = authorize_board_parts(tx, user_id, board_id, Need::write);
    if (!a) return a.error();
    auto quota = check_board_quota(tx, "card_template_count", board_id, max_per_board, "card templates");
    if (!quota) return quota.error();
    auto r = tx.exec_prepared("card_template_insert", id, board_id, enc_body, user_id);
    if (r.empty()) return conflict("a card template with this id already exists");
    board_part_event(tx, redis, *a, user_id, "CARD_TEMPLATE_CREATED", "card-template", id);
    return template_from(r[0]);
}

Status delete_card_template(Tx &tx, Redis &redis, const std::string &user_id, const std::string &template_id) {
    auto a = authorize_board_part(tx, user_id, "authz_card_template", template_id, Need::write, "card template");
    if (!a) return a.error();
    if (tx.exec_prepared("card_template_delete", template_id).empty()) return not_found("no such card template");
    board_part_event(tx, redis, *a, user_id, "CARD_TEMPLATE_DELETED", "card-template", template_id);
    return ok_status();
}

}  // namespace msk
