// The streamed account export (see account_export.hpp).
#include "account_export.hpp"

namespace msk {

namespace {

// The document's lists, in order: the key and the query that declares its cursor.
struct Section {
    const char *key;
    const char *query;
};
constexpr Section kSections[] = {
    {"sessions", "export_sessions"},
    {"webauthnCredentials", "export_webauthn_credentials"},
    {"workspaces", "export_workspaces"},
    {"members", "export_members"},
    {"boards", "export_boards"},
    {"columns", "export_columns"},
    {"cards", "export_cards"},
    {"comments", "export_comments"},
    {"checklists", "export_checklists"},
    {"checklistItems", "export_checklist_items"},
    {"labels", "export_labels"},
    {"milestones", "export_milestones"},
    {"customFields", "export_custom_fields"},
    {"templates", "export_templates"},
    {"automations", "export_automations"},
    {"attachments", "export_attachments"},
    {"notifications", "export_notifications"},
    {"activity", "export_activity"},
};

// One list: `"key":[...]`, one FETCH batch per write.
bool write_section(pqxx::transaction_base &tx, const Section &s, const std::string &user_id, const ExportSink &out) {
    tx.exec_prepared(s.query, user_id);  // DECLARE export_rows ...
    std::string piece = std::string(",\"") + s.key + "\":[";
    bool first = true;
    for (;;) {
        auto rows = tx.exec_prepared("export_fetch");
        if (rows.empty()) break;
        for (const auto &row : rows) {
            if (!first) piece += ',';
            first = false;
            piece.append(row[0].c_str(), row[0].size());
        }
        if (!out(piece)) return false;
        piece.clear();
    }
    tx.exec_prepared("export_close");
    piece += ']';
    return out(piece);
}

}  // namespace

bool write_export(pqxx::connection &conn, const std::string &user_id, const ExportSink &out) {
    pqxx::transaction<pqxx::isolation_level::repeatable_read, pqxx::readwrite_policy::read_only> tx(conn);
    auto acc = tx.exec_prepared("export_account", user_id);
    if (acc.empty()) return false;
    std::string head = std::string("{\"schema\":\"") + kExportSchema + "\",\"exportedAt\":\"" +
                       acc[0]["exported_at"].c_str() + "\",\"account\":" + acc[0]["account"].c_str() +
                       ",\"keys\":" + acc[0]["keys"].c_str();
    if (!out(head)) return false;
    for (const auto &s : kSections)
        if (!write_section(tx, s, user_id, out)) return false;
    if (!out("}\n")) return false;
    tx.commit();
    return true;
}

}  // namespace msk
