// Labels (see labels.hpp). Queries in src/queries/labels.sql.
#include "labels.hpp"

#include <cctype>

#include "activity.hpp"
#include "authz.hpp"
#include "boards.hpp"
#include "ticks.hpp"

namespace msk {

namespace {

const char *const kPalette[] = {"gray", "red", "orange", "yellow", "green", "teal", "blue", "purple", "pink"};

Label label_from(const pqxx::row &r) {
    Label l;
    l.id = r["id"].as<std::string>();
    l.board_id = r["board_id"].as<std::string>();
    l.enc_name = r["enc_name"].as<std::string>();
    l.colour = r["colour"].as<std::string>();
    l.created_by = opt_str(r, "created_by");
    l.created_at = r["created_at"].as<std::string>();
    l.updated_at = r["updated_at"].as<std::string>();
    return l;
}

// Records the label event and queues the board's tick. Metadata: the new colour (plain
// text), and whether an update renamed the label (never the name).
void label_event(Tx &tx, Redis &redis, const Grant &a, const std::string &user_id, const char *verb,
                 const std::string &label_id, const std::optional<std::string> &colour, bool renamed) {
    Event ev = make_event(a.workspace_id, a.board_id, user_id, verb, "label", label_id);
    if (colour) json_object_set_new(ev.meta.get(), "colour", json_string(colour->c_str()));
    if (renamed) json_object_set_new(ev.meta.get(), "renamed", json_true());
    record_activity(tx, ev);
    publish_tick_after_commit(tx, redis, std::move(ev));
}

}  // namespace

const char *const kLabelPalette = "gray, red, orange, yellow, green, teal, blue, purple, pink";

std::optional<std::string> label_colour(const std::string &colour) {
    for (const char *name : kPalette)
        if (colour == name) return colour;
    if (colour.size() != 7 || colour[0] != '#') return std::nullopt;
    std::string out = "#";
    for (size_t i = 1; i < 7; ++i) {
        unsigned char c = static_cast<unsigned char>(colour[i]);
        if (!std::isxdigit(c)) return std::nullopt;
        out += static_cast<char>(std::tolower(c));
    }
    return out;
}

Result<std::vector<Label>> list_labels(Tx &tx, const std::string &user_id, const std::string &board_id) {
    auto a = authorize_board(tx, user_id, board_id, Need::read);
    if (!a) return a.error();
    std::vector<Label> out;
    for (const auto &row : tx.exec_prepared("labels_of_board", board_id)) out.push_back(label_from(row));
    return out;
}

Result<Label> create_label(Tx &tx, Redis &redis, const std::string &user_id, const std::string &board_id,
                           const LabelChange &in) {
    auto a = authorize_board(tx, user_id, board_id, Need::write);
    if (!a) return a.error();
    lock_board_positions(tx, board_id);
    auto r = tx.exec_prepared("label_insert", in.id, board_id, *in.enc_name, *in.colour, user_id);
    if (r.empty()) return conflict("a label with this id already exists");
    Label l = label_from(r[0]);
    label_event(tx, redis, *a, user_id, "LABEL_CREATED", l.id, in.colour, false);
    return l;
}

Result<Label> update_label(Tx &tx, Redis &redis, const std::string &user_id, const std::string &label_id,
                           const LabelChange &in) {
    auto a = authorize_label(tx, user_id, label_id, Need::write);
    if (!a) return a.error();
    lock_board_positions(tx, a->board_id);
    auto r = tx.exec_prepared("label_update", label_id, in.enc_name, in.colour);
    if (r.empty()) return not_found("no such label");
    Label l = label_from(r[0]);
    label_event(tx, redis, *a, user_id, "LABEL_UPDATED", label_id, in.colour, in.enc_name.has_value());
    return l;
}

Status delete_label(Tx &tx, Redis &redis, const std::string &user_id, const std::string &label_id) {
    auto a = authorize_label(tx, user_id, label_id, Need::write);
    if (!a) return a.error();
    lock_board_positions(tx, a->board_id);
    if (tx.exec_prepared("label_delete", label_id).empty()) return not_found("no such label");
    label_event(tx, redis, *a, user_id, "LABEL_DELETED", label_id, std::nullopt, false);
    return ok_status();
}

}  // namespace msk
