// A board's labels, milestones and members (see board_meta.hpp).
#include "board_meta.hpp"

#include "crypto/aad.hpp"
#include "resolve.hpp"

namespace mskanban::cli {

namespace aad = mskanban::crypto::aad;

LabelView label_view(const crypto::SecretBytes &bk, const Json &l, std::vector<std::string> &errors) {
    LabelView v;
    v.id = l.str("id");
    v.name = text_or_mark(bk, aad::label(v.id), l.str("encName"), "label " + v.id + " name", errors);
    v.colour = l.str("colour");
    return v;
}

MilestoneView milestone_view(const crypto::SecretBytes &bk, const Json &m, std::vector<std::string> &errors) {
    MilestoneView v;
    v.id = m.str("id");
    v.name = text_or_mark(bk, aad::milestone(v.id), m.str("encName"), "milestone " + v.id + " name", errors);
    v.due_at = m.str("dueAt");
    v.archived = m.boolean("archived");
    return v;
}

Outcome<std::vector<LabelView>> load_labels(Ctx &ctx, const crypto::SecretBytes &bk, const std::string &board_id,
                                            std::vector<std::string> &errors) {
    auto r = ctx.api->get("/boards/" + url_escape(board_id) + "/labels");
    if (!r) return r.failure();
    Json list = unwrap_list(r.value(), "labels");
    std::vector<LabelView> out;
    for (size_t i = 0; i < list.size(); i++) out.push_back(label_view(bk, list.at(i), errors));
    return out;
}

Outcome<std::vector<MilestoneView>> load_milestones(Ctx &ctx, const crypto::SecretBytes &bk,
                                                    const std::string &board_id, bool archived,
                                                    std::vector<std::string> &errors) {
    auto r = ctx.api->get("/boards/" + url_escape(board_id) + "/milestones" + (archived ? "?archived=1" : ""));
    std::vector<MilestoneView> out;
    if (!r && r.failure().http_status == 404) return out;  // a server from before milestones
    if (!r) return r.failure();
    Json list = unwrap_list(r.value(), "milestones");
    for (size_t i = 0; i < list.size(); i++) out.push_back(milestone_view(bk, list.at(i), errors));
    return out;
}

Outcome<std::vector<MemberView>> load_members(Ctx &ctx, const std::string &workspace_id) {
    auto r = ctx.api->get("/workspaces/" + url_escape(workspace_id) + "/members");
    if (!r) return r.failure();
    Json list = unwrap_list(r.value(), "members");
    std::vector<MemberView> out;
    for (size_t i = 0; i < list.size(); i++) {
        Json m = list.at(i);
        out.push_back(MemberView{m.str("userId"), m.str("email"), m.str("role")});
    }
    return out;
}

void resolve_card(CardView &c, const BoardView &b) {
    c.labels.clear();
    c.label_colours.clear();
    c.assignees.clear();
    c.milestone.clear();
    for (const auto &id : c.label_ids)
        for (const auto &l : b.labels)
            if (l.id == id) { c.labels.push_back(l.name); c.label_colours.push_back(l.colour); }
    for (const auto &id : c.assignee_ids) {
        std::string shown = id;  // a member removed since: their id
        for (const auto &m : b.members)
            if (m.user_id == id) shown = m.email;
        c.assignees.push_back(shown);
    }
    for (const auto &m : b.milestones)
        if (m.id == c.milestone_id) c.milestone = m.name;
}

Status load_board_meta(Ctx &ctx, Keyring &keys, BoardView &b) {
    auto bk = keys.board_key(b.id);
    if (!bk) return bk.failure();
    auto labels = load_labels(ctx, *bk.value(), b.id, b.errors);
    if (!labels) return labels.failure();
    b.labels = std::move(labels.value());
    auto ms = load_milestones(ctx, *bk.value(), b.id, true, b.errors);
    if (!ms) return ms.failure();
    b.milestones = std::move(ms.value());
    auto members = load_members(ctx, b.workspace_id);
    if (!members) return members.failure();
    b.members = std::move(members.value());
    for (auto &col : b.columns)
        for (auto &card : col.cards) resolve_card(card, b);
    return ok_status();
}

Status resolve_card_refs(Ctx &ctx, Keyring &keys, const std::string &board_id, CardView &c,
                         std::vector<std::string> &errors) {
    auto board = keys.board(board_id);
    if (!board) return board.failure();
    BoardView b;
    b.id = board_id;
    b.workspace_id = board.value().str("workspaceId");
    auto meta = load_board_meta(ctx, keys, b);
    if (!meta) return meta.failure();
    errors.insert(errors.end(), b.errors.begin(), b.errors.end());
    resolve_card(c, b);
    return ok_status();
}

Outcome<LabelView> find_label(const std::vector<LabelView> &labels, const std::string &id_or_name) {
    auto i = find_by_id_or_name(labels, id_or_name, [](const LabelView &l) { return l.name; }, "label");
    if (!i) return i.failure();
    return labels[i.value()];
}

Outcome<MilestoneView> find_milestone(const std::vector<MilestoneView> &ms, const std::string &id_or_name) {
    auto i = find_by_id_or_name(ms, id_or_name, [](const MilestoneView &m) { return m.name; }, "milestone");
    if (!i) return i.failure();
    return ms[i.value()];
}

Outcome<MemberView> find_member(const std::vector<MemberView> &members, const std::string &email_or_id) {
    for (const auto &m : members)
        if (m.user_id == email_or_id || lower_ascii(m.email) == lower_ascii(email_or_id)) return m;
    return fail(kUsage, "no member " + email_or_id + " in this workspace (invite them first: mskanban workspace invite)");
}

}  // namespace mskanban::cli
