// Recovery phrase parsing: tolerant of case, separators and look-alike
// characters; a typo is caught by the checksum.
#include <string>

#include "crypto/recovery.hpp"

#include <CppUTest/TestHarness.h>

using namespace mskanban::crypto;

TEST_GROUP(ClientRecovery){};

TEST(ClientRecovery, ShapeAndRoundTrip) {
    SecretBytes e = SecretBytes::random(32);
    std::string p = recovery_phrase_from_entropy(e).value();
    CHECK_EQUAL(14u * 4 + 13, p.size());
    CHECK(recovery_entropy_from_phrase(p).value().equals(e));
}

TEST(ClientRecovery, LenientSpelling) {
    SecretBytes e = SecretBytes::random(32);
    std::string p = recovery_phrase_from_entropy(e).value();
    std::string loose;
    for (char c : p) {
        if (c == '-') loose += "  ";
        else if (c == '0') loose += 'o';
        else if (c == '1') loose += 'l';
        else loose += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    CHECK(recovery_entropy_from_phrase(loose).value().equals(e));
}

TEST(ClientRecovery, TypoCaught) {
    SecretBytes e = SecretBytes::random(32);
    std::string p = recovery_phrase_from_entropy(e).value();
    p[5] = p[5] == 'A' ? 'B' : 'A';
    CHECK_FALSE(recovery_entropy_from_phrase(p).ok());
    CHECK_FALSE(recovery_entropy_from_phrase(p.substr(0, 20)).ok());
    CHECK_FALSE(recovery_entropy_from_phrase(p + "AAAA").ok());
    CHECK_FALSE(recovery_entropy_from_phrase("UUUU").ok());  // U is not in the alphabet
}
