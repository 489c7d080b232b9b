// Interop driver for the client crypto layer, C++ side (used by
// t/60client-crypto.t; the JavaScript side is t/js/client-crypto.mjs):
//
//   client_crypto_interop fresh           print random cases made by client/crypto/
//   client_crypto_interop check <file>    check a cases file, TAP-like output
#include <jansson.h>
#include <sodium.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "client_crypto_cases.hpp"

int main(int argc, char **argv) {
    if (sodium_init() < 0) return 2;
    if (argc == 2 && std::strcmp(argv[1], "fresh") == 0) {
        json_t *doc = mskanban::testing::make_fresh_cases();
        json_dumpf(doc, stdout, JSON_INDENT(2));
        std::fputc('\n', stdout);
        json_decref(doc);
        return 0;
    }
    if (argc == 3 && std::strcmp(argv[1], "check") == 0) {
        json_error_t err;
        json_t *doc = json_load_file(argv[2], JSON_ALLOW_NUL, &err);
        if (!doc) {
            std::fprintf(stderr, "%s: %s\n", argv[2], err.text);
            return 2;
        }
        int n = 0;
        int failed = mskanban::testing::check_all(doc, [&](bool ok, const std::string &name) {
            std::printf("%s %d - %s\n", ok ? "ok" : "not ok", ++n, name.c_str());
        });
        std::printf("1..%d\n", n);
        json_decref(doc);
        return failed ? 1 : 0;
    }
    std::fprintf(stderr, "usage: client_crypto_interop fresh | check <file>\n");
    return 2;
}
