// Automations (see automations.hpp). Queries in src/queries/automations.sql.
#include "automations.hpp"

#include <cstring>

#include "activity.hpp"
#include "authz.hpp"
#include "boards.hpp"
#include "ids.hpp"
#include "ticks.hpp"

namespace msk {

namespace {

struct TriggerDef {
    const char *name;
    std::vector<const char *> meta_keys;
};

const std::vector<TriggerDef> &triggers() {
    static const std::vector<TriggerDef> t = {
        {"card_created", {"columnId"}},
        {"card_moved", {"fromColumnId", "toColumnId"}},
        {"card_label_added", {"labelId"}},
        {"comment_added", {}},
        {"card_due_reached", {}},
    };
    return t;
}

const TriggerDef *find_trigger(const std::string &name) {
    for (const auto &t : triggers())
        if (name == t.name) return &t;
    return nullptr;
}

Automation automation_from(const pqxx::row &r) {
    Automation a;
    a.id = r["id"].as<std::string>();
    a.board_id = r["board_id"].as<std::string>();
    a.trigger = r["trigger"].as<std::string>();
    a.trigger_meta = r["trigger_meta"].as<std::string>();
    a.enc_body = r["enc_body"].as<std::string>();
    a.enabled = r["enabled"].as<bool>();
    a.created_by = opt_str(r, "created_by");
    a.created_at = r["created_at"].as<std::string>();
    a.updated_at = r["updated_at"].as<std::string>();
    return a;
}

void automation_event(Tx &tx, Redis &redis, const Grant &g, const std::string &user_id, const char *verb,
                      const std::string &id, const std::optional<std::string> &trigger) {
    Event ev = make_event(g.workspace_id, g.board_id, user_id, verb, "automation", id);
    if (trigger) json_object_set_new(ev.meta.get(), "trigger", json_string(trigger->c_str()));
    record_activity(tx, ev);
    publish_tick_after_commit(tx, redis, std::move(ev));
}

Result<Grant> authorize_automation(Tx &tx, const std::string &user_id, const std::string &id, Need need,
                                   std::string *trigger) {
    auto r = tx.exec_prepared("automation_board", id);
    if (r.empty()) return not_found("no such automation");
    if (trigger) *trigger = r[0]["trigger"].as<std::string>();
    return authorize_board(tx, user_id, r[0]["board_id"].as<std::string>(), need);
}

// The canonical metadata for `trigger` from the request's raw triggerMeta text.
Result<std::string> checked_meta(const std::string &trigger, const std::optional<std::string> &raw) {
    if (!raw) return automation_trigger_meta(trigger, nullptr);
    json_error_t err;
    JsonPtr parsed(json_loads(raw->c_str(), JSON_DECODE_ANY, &err));
    return automation_trigger_meta(trigger, parsed.get());
}

}  // namespace

const char *const kAutomationTriggers = "card_created, card_moved, card_label_added, comment_added, card_due_reached";

bool is_automation_trigger(const std::string &trigger) { return find_trigger(trigger) != nullptr; }

Result<std::string> automation_trigger_meta(const std::string &trigger, const json_t *meta) {
    const TriggerDef *t = find_trigger(trigger);
    if (!t) return bad_request(std::string("\"trigger\" must be one of ") + kAutomationTriggers);
    JsonPtr out = own(json_object());
    if (!meta || json_is_null(meta)) return dump(out.get());
    if (!json_is_object(meta)) return bad_request("\"triggerMeta\" must be an object");
    const char *key;
    json_t *v;
    json_object_foreach(const_cast<json_t *>(meta), key, v) {
        bool allowed = false;
        for (const char *k : t->meta_keys) allowed = allowed || std::strcmp(k, key) == 0;
        if (!allowed) return bad_request(std::string("\"triggerMeta\" of ") + trigger + " cannot hold \"" + key + "\"");
        if (!json_is_string(v) || !is_valid_id(json_string_value(v)))
            return bad_request(std::string("\"triggerMeta.") + key + "\" must be an id");
        json_object_set(out.get(), key, v);
    }
    return dump(out.get());
}

Result<std::vector<Automation>> list_automations(Tx &tx, const std::string &user_id, const std::string &board_id) {
    auto a = authorize_board(tx, user_id, board_id, Need::read);
    if (!a) return a.error();
    std::vector<Automation> out;
    for (const auto &row : tx.exec_prepared("automations_of_board", board_id)) out.push_back(automation_from(row));
    return out;
}

Result<Automation> create_automation(Tx &tx, Redis &redis, const std::string &user_id, const std::string &board_id,
                                     const AutomationChange &in) {
    auto a = authorize_board(tx, user_id, board_id, Need::write);
    if (!a) return a.error();
    auto meta = checked_meta(*in.trigger, in.trigger_meta);
    if (!meta) return meta.error();
    lock_board_positions(tx, board_id);
    auto r = tx.exec_prepared("automation_insert", in.id, board_id, *in.trigger, *meta,
                              *in.enc_body, in.enabled.value_or(true), user_id);
    if (r.empty()) return conflict("an automation with this id already exists");
    Automation out = automation_from(r[0]);
    automation_event(tx, redis, *a, user_id, "AUTOMATION_CREATED", out.id, out.trigger);
    return out;
}

Result<Automation> update_automation(Tx &tx, Redis &redis, const std::string &user_id,
                                     const std::string &automation_id, const AutomationChange &in) {
    std::string current;
    auto a = authorize_automation(tx, user_id, automation_id, Need::write, &current);
    if (!a) return a.error();
    // New metadata must suit the trigger it will belong to; a new trigger without
    // metadata clears it.
    std::optional<std::string> meta;
    if (in.trigger || in.trigger_meta) {
        auto m = checked_meta(in.trigger.value_or(current), in.trigger_meta);
        if (!m) return m.error();
        meta = *m;
    }
    lock_board_positions(tx, a->board_id);
    auto r = tx.exec_prepared("automation_update", automation_id, in.trigger, meta, in.enc_body, in.enabled);
    if (r.empty()) return not_found("no such automation");
    Automation out = automation_from(r[0]);
    automation_event(tx, redis, *a, user_id, "AUTOMATION_UPDATED", out.id, out.trigger);
    return out;
}

Status delete_automation(Tx &tx, Redis &redis, const std::string &user_id, const std::string &automation_id) {
    auto a = authorize_automation(tx, user_id, automation_id, Need::write, nullptr);
    if (!a) return a.error();
    lock_board_positions(tx, a->board_id);
    if (tx.exec_prepared("automation_delete", automation_id).empty()) return not_found("no such automation");
    automation_event(tx, redis, *a, user_id, "AUTOMATION_DELETED", automation_id, std::nullopt);
    return ok_status();
}

}  // namespace msk
