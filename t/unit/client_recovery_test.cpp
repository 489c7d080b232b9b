// Recovery phrases: parsing is tolerant of case, separators and look-alike characters
// and a typo is caught by the checksum; the verifier is domain-separated from the key;
// a phrase opens the wraps it made.
#include <string>

#include <sodium.h>

#include "crypto/hierarchy.hpp"
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

// The verifier sent to the server is keyed BLAKE2b over its own label, so it is neither
// the recovery key nor derivable from it, and it is stable for one phrase.
TEST(ClientRecovery, VerifierIsDomainSeparated) {
    SecretBytes e = SecretBytes::random(32);
    auto rv = recovery_verifier(e);
    const SecretBytes &v = rv.value();
    CHECK_EQUAL(32u, v.size());
    CHECK(v.equals(recovery_verifier(e).value()));
    CHECK_FALSE(v.equals(recovery_key(e).value()));
    const char label[] = "mskanban recovery verifier v1";
    SecretBytes want(32);
    crypto_generichash(want.data(), want.size(), reinterpret_cast<const unsigned char *>(label), sizeof label - 1,
                       e.data(), e.size());
    CHECK(v.equals(want));
    CHECK_FALSE(recovery_verifier(SecretBytes::random(31)).ok());
}

// A new phrase wraps the USK and the X25519 secret key; the phrase opens both and
// yields the verifier that was registered; another phrase opens nothing.
TEST(ClientRecovery, NewRecoveryRoundTrip) {
    SecretBytes usk = new_key();
    KeyPair kp = generate_keypair();
    auto made = new_recovery(usk, kp.secret_key);
    const NewRecovery &r = made.value();
    auto opened = open_recovery(r.phrase, r.enc_recovery_blob, r.enc_recovery_private_key);
    CHECK(opened.ok());
    CHECK(opened.value().keys.usk.equals(usk));
    CHECK(opened.value().keys.keypair.public_key == kp.public_key);
    CHECK_EQUAL(r.verifier, opened.value().verifier);
    auto made_other = new_recovery(usk, kp.secret_key);
    const NewRecovery &other = made_other.value();
    CHECK_FALSE(open_recovery(other.phrase, r.enc_recovery_blob, r.enc_recovery_private_key).ok());
    CHECK(other.verifier != r.verifier);
    // The two wraps are bound to their roles: swapped, neither opens.
    CHECK_FALSE(open_recovery(r.phrase, r.enc_recovery_private_key, r.enc_recovery_blob).ok());
}
