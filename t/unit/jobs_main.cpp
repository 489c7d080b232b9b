// CppUTest runner for the job runner's unit tests (the address guard, the delivery policy).
#include <sodium.h>

#include "netguard.hpp"

#include "CppUTest/CommandLineTestRunner.h"

int main(int argc, char **argv) {
    if (sodium_init() < 0) return 1;
    // Build the guard's range tables (function-local statics) before the leak detector
    // starts counting.
    (void)msk::forbidden_address(*msk::parse_ip("::1"));
    (void)msk::forbidden_address(*msk::parse_ip("127.0.0.1"));
    return CommandLineTestRunner::RunAllTests(argc, argv);
}
