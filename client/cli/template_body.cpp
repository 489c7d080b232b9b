// Card template plaintext (see template_body.hpp).
#include "template_body.hpp"

#include <cstdlib>

#include "json.hpp"

namespace mskanban::cli {

namespace {

Json str(const std::string &s) { return Json::own(json_stringn(s.data(), s.size())); }

bool get_string(json_t *o, const char *key, std::string &out, bool nullable = false) {
    json_t *v = json_object_get(o, key);
    if (nullable && (!v || json_is_null(v))) { out.clear(); return true; }
    if (!json_is_string(v)) return false;
    out.assign(json_string_value(v), json_string_length(v));
    return true;
}

bool string_list(json_t *a, std::vector<std::string> &out) {
    if (!json_is_array(a)) return false;
    for (size_t i = 0; i < json_array_size(a); i++) {
        json_t *s = json_array_get(a, i);
        if (!json_is_string(s)) return false;
        out.emplace_back(json_string_value(s), json_string_length(s));
    }
    return true;
}

}  // namespace

std::string template_plaintext(const TemplateBody &t) {
    Json o = object();
    o.set("v", Json::own(json_integer(1)));
    o.set("name", str(t.name));
    o.set("title", str(t.title));
    o.set("description", t.description.empty() ? Json::own(json_null()) : str(t.description));
    Json lists = array();
    for (const auto &cl : t.checklists) {
        Json l = object();
        l.set("title", str(cl.title));
        Json items = array();
        for (const auto &i : cl.items) json_array_append(items.get(), str(i).get());
        l.set("items", items);
        json_array_append(lists.get(), l.get());
    }
    o.set("checklists", lists);
    Json labels = array();
    for (const auto &id : t.label_ids) json_array_append(labels.get(), str(id).get());
    o.set("labelIds", labels);
    char *s = json_dumps(o.get(), JSON_COMPACT | JSON_PRESERVE_ORDER);
    std::string out = s ? s : "";
    std::free(s);
    return out;
}

Outcome<TemplateBody> parse_template(const std::string &plaintext) {
    Failure bad = fail(kDecrypt, "not a card template (docs/client.md: {v:1, name, title, description, checklists, labelIds})");
    Json o = parse(plaintext);
    if (!json_is_object(o.get()) || o.num("v") != 1) return bad;
    TemplateBody t;
    if (!get_string(o.get(), "name", t.name) || !get_string(o.get(), "title", t.title) ||
        !get_string(o.get(), "description", t.description, true) || !string_list(o["labelIds"].get(), t.label_ids))
        return bad;
    Json lists = o["checklists"];
    if (!json_is_array(lists.get())) return bad;
    for (size_t i = 0; i < lists.size(); i++) {
        TemplateChecklist cl;
        if (!json_is_object(lists.at(i).get()) || !get_string(lists.at(i).get(), "title", cl.title) ||
            !string_list(lists.at(i)["items"].get(), cl.items))
            return bad;
        t.checklists.push_back(std::move(cl));
    }
    return t;
}

}  // namespace mskanban::cli
