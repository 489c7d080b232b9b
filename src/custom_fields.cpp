// Custom fields (see custom_fields.hpp). Queries in src/queries/custom_fields.sql.
#include "custom_fields.hpp"

#include "board_parts.hpp"
#include "card_parts.hpp"
#include "ids.hpp"

namespace msk {

namespace {

const char *const kTypes[] = {"text", "number", "date", "url", "checkbox", "dropdown"};
const PlaceIn kFieldPlace{"custom_field_positions", "custom_field_set_positions", "afterFieldId", "beforeFieldId"};

CustomField field_from(const pqxx::row &r) {
    CustomField f;
    f.id = r["id"].as<std::string>();
    f.board_id = r["board_id"].as<std::string>();
    f.type = r["type"].as<std::string>();
    f.enc_name = r["enc_name"].as<std::string>();
    f.enc_options = opt_str(r, "enc_options");
    f.position = r["position"].as<std::string>();
    f.created_by = opt_str(r, "created_by");
    f.created_at = r["created_at"].as<std::string>();
    f.updated_at = r["updated_at"].as<std::string>();
    return f;
}

CustomField load_field(Tx &tx, const std::string &id) { return field_from(tx.exec_prepared("custom_field_by_id", id)[0]); }

// The type in the event's metadata (plaintext), never the name or options.
json_t *type_meta(const std::string &type) { return json_pack("{s:s}", "type", type.c_str()); }

}  // namespace

const char *const kCustomFieldTypes = "text, number, date, url, checkbox, dropdown";

bool is_custom_field_type(const std::string &type) {
    for (const char *t : kTypes)
        if (type == t) return true;
    return false;
}

Result<std::vector<CustomField>> list_custom_fields(Tx &tx, const std::string &user_id, const std::string &board_id) {
    auto a = authorize_board_parts(tx, user_id, board_id, Need::read);
    if (!a) return a.error();
    std::vector<CustomField> out;
    for (const auto &row : tx.exec_prepared("custom_fields_of_board", board_id)) out.push_back(field_from(row));
    return out;
}

Result<CustomField> create_custom_field(Tx &tx, Redis &redis, const std::string &user_id,
                                        const std::string &board_id, const CustomFieldChange &in,
                                        long max_per_board) {
    auto a = authorize_board_parts(tx, user_id, board_id, Need::write);
    if (!a) return a.error();
    auto quota = check_board_quota(tx, "custom_field_count", board_id, max_per_board, "custom fields");
    if (!quota) return quota.error();
    auto pos = place_part(tx, kFieldPlace, board_id, in.id, in.after_id, in.before_id);
    if (!pos) return pos.error();
    if (tx.exec_prepared("custom_field_insert", in.id, board_id, in.type, *in.enc_name, in.enc_options, *pos, user_id)
            .empty())
        return conflict("a custom field with this id already exists");
    board_part_event(tx, redis, *a, user_id, "CUSTOM_FIELD_CREATED", "custom-field", in.id, type_meta(in.type));
    return load_field(tx, in.id);
}

Result<CustomField> update_custom_field(Tx &tx, Redis &redis, const std::string &user_id, const std::string &field_id,
                                        const CustomFieldChange &in) {
    auto a = authorize_board_part(tx, user_id, "authz_custom_field", field_id, Need::write, "custom field");
    if (!a) return a.error();
    auto cur = tx.exec_prepared("custom_field_by_id", field_id);
    if (cur.empty()) return not_found("no such custom field");
    std::string type = cur[0]["type"].as<std::string>();
    if (in.enc_options && type != "dropdown") return bad_request("\"encOptions\" is only for a dropdown field");
    if ((in.after_id && *in.after_id == field_id) || (in.before_id && *in.before_id == field_id))
        return bad_request("a field cannot be placed next to itself");
    std::optional<std::string> pos;
    if (in.move) {
        auto p = place_part(tx, kFieldPlace, a->board_id, field_id, in.after_id, in.before_id);
        if (!p) return p.error();
        pos = *p;
    }
    tx.exec_prepared("custom_field_update", field_id, in.enc_name, in.enc_options, pos);
    bool content = in.enc_name || in.enc_options;
    board_part_event(tx, redis, *a, user_id, content ? "CUSTOM_FIELD_UPDATED" : "CUSTOM_FIELD_MOVED", "custom-field",
                     field_id, type_meta(type));
    return load_field(tx, field_id);
}

Status delete_custom_field(Tx &tx, Redis &redis, const std::string &user_id, const std::string &field_id) {
    auto a = authorize_board_part(tx, user_id, "authz_custom_field", field_id, Need::write, "custom field");
    if (!a) return a.error();
    if (tx.exec_prepared("custom_field_delete", field_id).empty()) return not_found("no such custom field");
    board_part_event(tx, redis, *a, user_id, "CUSTOM_FIELD_DELETED", "custom-field", field_id);
    return ok_status();
}

Status set_card_field_values(Tx &tx, const std::string &board_id, const std::string &card_id,
                             const std::string &user_id, const std::vector<FieldValueChange> &values) {
    for (const auto &v : values)
        if (!is_valid_id(v.first) || tx.exec_prepared("custom_field_of_board", v.first, board_id).empty())
            return bad_request("\"customFields\" names " + (is_valid_id(v.first) ? v.first : std::string("an id")) +
                               ", which is not a custom field of this card's board");
    for (const auto &v : values) {
        if (v.second) tx.exec_prepared("card_field_value_set", board_id, card_id, v.first, *v.second, user_id);
        else tx.exec_prepared("card_field_value_delete", card_id, v.first);
    }
    return ok_status();
}

}  // namespace msk
