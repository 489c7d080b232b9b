// CppUTest runner for the client unit tests (client_*_test.cpp).
#include <sodium.h>

#include <clocale>
#include <cstdio>

#include <CppUTest/CommandLineTestRunner.h>

int main(int argc, char **argv) {
    std::setlocale(LC_CTYPE, "C.UTF-8");  // display widths of non-ASCII text (client_cli_test)
    if (sodium_init() < 0) {
        std::fprintf(stderr, "sodium_init failed\n");
        return 1;
    }
    return CommandLineTestRunner::RunAllTests(argc, argv);
}
