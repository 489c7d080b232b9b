// Attachment files for mskanbanctl gc and check (see attachment_ctl.hpp).
#include "attachment_ctl.hpp"

#include "attachment_store.hpp"
#include "attachments.hpp"

#include <set>

namespace msk {

namespace {

constexpr long kBatch = 500;

// Of `names`, those neither a row nor the trash knows (checked in one query per batch).
std::vector<std::string> unknown_names(pqxx::connection &conn, const std::vector<std::string> &names) {
    std::string joined;
    for (const auto &n : names) joined += (joined.empty() ? "" : ",") + n;
    pqxx::work tx(conn);
    std::set<std::string> known;
    for (const auto &row : tx.exec_prepared("attachment_names_known", joined)) known.insert(row[0].as<std::string>());
    tx.commit();
    std::vector<std::string> out;
    for (const auto &n : names)
        if (!known.count(n)) out.push_back(n);
    return out;
}

}  // namespace

AttachmentGcCounts gc_attachment_files(pqxx::connection &conn, const Config &cfg, long orphan_min_age_s) {
    AttachmentGcCounts c;
    if (cfg.attachment_dir.empty()) return c;
    for (long n; (n = purge_attachment_trash(conn, cfg, kBatch)) > 0;) c.queued += n;
    std::vector<std::string> batch;
    auto flush = [&] {
        for (const auto &n : unknown_names(conn, batch))
            if (remove_stored(cfg, n)) c.orphans++;
        batch.clear();
    };
    for (const auto &rel : stored_names_older_than(cfg, orphan_min_age_s)) {
        if (rel.rfind(".incoming/", 0) == 0) {  // a spooled upload its worker never finished
            if (remove_below_storage(cfg, rel)) c.orphans++;
            continue;
        }
        batch.push_back(rel);
        if (batch.size() >= static_cast<size_t>(kBatch)) flush();
    }
    if (!batch.empty()) flush();
    return c;
}

long check_attachment_files(pqxx::connection &conn, const Config &cfg, std::ostream &out) {
    long problems = 0;
    long long after = 0;
    for (;;) {
        pqxx::work tx(conn);
        auto rows = tx.exec_prepared("attachments_page", after, kBatch);
        tx.commit();
        if (rows.empty()) break;
        for (const auto &row : rows) {
            after = row["seq"].as<long long>();
            std::string id = row["id"].as<std::string>(), card = row["card_id"].as<std::string>();
            int64_t want = row["size_bytes"].as<int64_t>();
            int64_t have = stored_size(cfg, row["storage_name"].as<std::string>());
            if (have < 0) {
                out << "missing attachment " << id << " (card " << card << "): its file is gone\n";
                problems++;
            } else if (have != want) {
                out << "size attachment " << id << " (card " << card << "): file has " << have << " bytes, row says "
                    << want << "\n";
                problems++;
            }
        }
    }
    return problems;
}

}  // namespace msk
