// Field validation for request bodies.
#include "input.hpp"

namespace msk {

Result<std::string> req_envelope(const json_t *obj, const char *name, size_t max_ct_bytes) {
    // The text is ~4/3 the ciphertext plus the nonce and prefix.
    auto s = req_string(obj, name, max_ct_bytes / 3 * 4 + 64);
    if (!s) return s.error();
    std::string problem = envelope_problem(*s, max_ct_bytes);
    if (!problem.empty()) return bad_request(std::string("\"") + name + "\" " + problem);
    return s;
}

Result<std::string> req_b64url_bytes(const json_t *obj, const char *name, size_t bytes) {
    auto s = req_string(obj, name, bytes * 2 + 4);
    if (!s) return s.error();
    std::string problem = fixed_b64url_problem(*s, bytes);
    if (!problem.empty()) return bad_request(std::string("\"") + name + "\" " + problem);
    return s;
}

Status check_path_id(const std::string &id) {
    if (!is_valid_id(id)) return not_found();
    return ok_status();
}

Result<JsonPtr> body_object(const Request &req) { return parse_object(req.body); }

Result<int> page_limit(const Request &req, int def, int max_limit) {
    auto l = req.query_param("limit");
    if (!l) return def;
    bool digits = !l->empty() && l->size() <= 3;
    for (char c : *l) digits = digits && c >= '0' && c <= '9';
    int limit = digits ? std::stoi(*l) : 0;
    if (limit < 1 || limit > max_limit)
        return bad_request("\"limit\" must be between 1 and " + std::to_string(max_limit));
    return limit;
}

}  // namespace msk
