// Attachment storage: the stream length a file size allows, storage names, the free-space
// check (507), the rename into storage (safe to run twice in one request) and what it refuses.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "attachment_store.hpp"
#include "crypto.hpp"
#include "CppUTest/TestHarness.h"

using namespace msk;

TEST_GROUP(AttachmentStore) {
    std::string dir;
    Config cfg;
    void setup() override {
        crypto_init();
        char tmpl[] = "/tmp/msk-attach-XXXXXX";
        dir = mkdtemp(tmpl);
        cfg.attachment_dir = dir + "/files";
        mkdir(cfg.attachment_dir.c_str(), 0700);
        cfg.attachment_min_free_bytes = 0;
    }
    void teardown() override { std::system(("rm -rf '" + dir + "'").c_str()); }
    std::string file(const std::string &name, const std::string &bytes) {
        std::string p = dir + "/" + name;
        FILE *f = fopen(p.c_str(), "wb");
        fwrite(bytes.data(), 1, bytes.size(), f);
        fclose(f);
        return p;
    }
};

TEST(AttachmentStore, StreamLength) {
    UNSIGNED_LONGLONGS_EQUAL(41, secretstream_bytes(0));  // header + one empty final chunk
    UNSIGNED_LONGLONGS_EQUAL(42, secretstream_bytes(1));
    UNSIGNED_LONGLONGS_EQUAL(24 + 65536 + 17, secretstream_bytes(65536));
    UNSIGNED_LONGLONGS_EQUAL(24 + 65537 + 34, secretstream_bytes(65537));
    UNSIGNED_LONGLONGS_EQUAL(26221224, secretstream_bytes(25 << 20));
    CHECK(secretstream_bytes((25 << 20) + 1) > 26221224);
}

TEST(AttachmentStore, Names) {
    std::string n = new_storage_name();
    CHECK(is_storage_name(n));
    CHECK(n != new_storage_name());
    CHECK(!is_storage_name("../" + n.substr(3)));
    CHECK(!is_storage_name(n.substr(1)));
    CHECK(!is_storage_name("ABCDEF0123456789ABCDEF0123456789"));
}

TEST(AttachmentStore, FreeSpace) {
    CHECK(check_free_space(cfg).ok());
    cfg.attachment_min_free_bytes = 1L << 60;
    auto st = check_free_space(cfg);
    CHECK(!st.ok());
    LONGS_EQUAL(507, st.error().status);
    STRCMP_EQUAL("INSUFFICIENT_STORAGE", st.error().code.c_str());
    cfg.attachment_dir = dir + "/missing";
    LONGS_EQUAL(503, check_free_space(cfg).error().status);
}

TEST(AttachmentStore, MovesOneFileIn) {
    std::string up = file("upload", std::string(100, 'x'));
    auto size = upload_size(up);
    CHECK(size.ok());
    UNSIGNED_LONGLONGS_EQUAL(100, *size);
    std::string name = new_storage_name();
    CHECK(move_into_storage(cfg, up, name).ok());
    LONGS_EQUAL(100, stored_size(cfg, name));
    LONGS_EQUAL(-1, access(up.c_str(), F_OK));
    CHECK(remove_stored(cfg, name));
    LONGS_EQUAL(-1, stored_size(cfg, name));
    CHECK(remove_stored(cfg, name));  // already gone is fine
}

TEST(AttachmentStore, RefusesWhatIsNotAnUpload) {
    LONGS_EQUAL(400, upload_size(dir + "/nothing").error().status);
    std::string target = file("target", "x");
    std::string link = dir + "/link";
    CHECK(symlink(target.c_str(), link.c_str()) == 0);
    LONGS_EQUAL(400, upload_size(link).error().status);  // never follow a link
    LONGS_EQUAL(400, move_into_storage(cfg, dir + "/nothing", new_storage_name()).error().status);
    cfg.attachment_dir = dir + "/missing";
    LONGS_EQUAL(503, move_into_storage(cfg, target, new_storage_name()).error().status);
}

// A request run again after a serialization failure or deadlock reuses its storage name:
// the second run finds the file the first one moved, with its size, and stores nothing new.
TEST(AttachmentStore, MovingTwiceInOneRequestIsDone) {
    std::string up = file("upload", std::string(100, 'x'));
    std::string name = new_storage_name();
    for (int run = 0; run < 2; run++) {
        auto size = upload_size(cfg, up, name);
        CHECK(size.ok());
        UNSIGNED_LONGLONGS_EQUAL(100, *size);
        CHECK(move_into_storage(cfg, up, name).ok());
        LONGS_EQUAL(100, stored_size(cfg, name));
        LONGS_EQUAL(-1, access(up.c_str(), F_OK));
    }
    // Another name (another request) still finds no upload.
    std::string other = new_storage_name();
    LONGS_EQUAL(400, upload_size(cfg, up, other).error().status);
    LONGS_EQUAL(400, move_into_storage(cfg, up, other).error().status);
    LONGS_EQUAL(-1, stored_size(cfg, other));
}
