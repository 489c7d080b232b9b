// CppUTest runner for the core unit tests.
#include <sodium.h>

#include "config.hpp"
#include "ids.hpp"
#include "totp.hpp"

#include "CppUTest/CommandLineTestRunner.h"

int main(int argc, char **argv) {
    if (sodium_init() < 0 || !msk::totp_init()) return 1;
    // Build function-local statics (the config key table) before the leak detector
    // starts counting, so they are not reported as leaks of the first test.
    (void)msk::parse_config("", [](const std::string &) { return std::optional<std::string>(); });
    (void)msk::new_id();
    return CommandLineTestRunner::RunAllTests(argc, argv);
}
