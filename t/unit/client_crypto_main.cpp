// CppUTest runner for the client crypto unit tests (client_*_test.cpp).
#include <sodium.h>

#include <cstdio>

#include <CppUTest/CommandLineTestRunner.h>

int main(int argc, char **argv) {
    if (sodium_init() < 0) {
        std::fprintf(stderr, "sodium_init failed\n");
        return 1;
    }
    return CommandLineTestRunner::RunAllTests(argc, argv);
}
