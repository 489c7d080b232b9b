// Recovery phrase encoding and key derivation (see recovery.hpp).
#include "recovery.hpp"

#include <sodium.h>

#include <cctype>
#include <cstring>

namespace mskanban::crypto {

namespace {
const char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";  // Crockford base32
constexpr std::size_t kChecksumBytes = 3;
constexpr std::size_t kTotalBytes = kRecoveryEntropyBytes + kChecksumBytes;  // 35
constexpr std::size_t kChars = kTotalBytes * 8 / 5;                          // 56
const char kKeyLabel[] = "mskanban recovery key v1";
const char kVerifierLabel[] = "mskanban recovery verifier v1";

// BLAKE2b-256 keyed by the entropy over `label` (without its NUL).
template <std::size_t N>
Result<SecretBytes> keyed_by_entropy(const SecretBytes &entropy, const char (&label)[N]) {
    if (entropy.size() != kRecoveryEntropyBytes)
        return make_error(Errc::invalid_input, "recovery entropy is not 32 bytes");
    SecretBytes out(32);
    crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char *>(label), N - 1,
                       entropy.data(), entropy.size());
    return out;
}

void checksum(const unsigned char *entropy, unsigned char out[kChecksumBytes]) {
    unsigned char h[32];
    crypto_generichash(h, sizeof h, entropy, kRecoveryEntropyBytes, nullptr, 0);
    std::memcpy(out, h, kChecksumBytes);
}

int decode_char(char c) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (c == 'O') c = '0';
    if (c == 'I' || c == 'L') c = '1';
    const char *p = std::strchr(kAlphabet, c);
    return (p && c) ? static_cast<int>(p - kAlphabet) : -1;
}
}  // namespace

Result<std::string> recovery_phrase_from_entropy(const SecretBytes &entropy) {
    if (entropy.size() != kRecoveryEntropyBytes)
        return make_error(Errc::invalid_input, "recovery entropy is not 32 bytes");
    SecretBytes all(kTotalBytes);
    std::memcpy(all.data(), entropy.data(), kRecoveryEntropyBytes);
    checksum(entropy.data(), all.data() + kRecoveryEntropyBytes);
    std::string out;
    unsigned bits = 0, acc = 0;
    std::size_t chars = 0;
    for (std::size_t i = 0; i < kTotalBytes; i++) {
        acc = (acc << 8) | all.data()[i];
        bits += 8;
        while (bits >= 5) {
            if (chars && chars % 4 == 0) out += '-';
            out += kAlphabet[(acc >> (bits - 5)) & 31];
            bits -= 5;
            chars++;
        }
    }
    acc = 0;
    return out;
}

Result<SecretBytes> recovery_entropy_from_phrase(const std::string &phrase) {
    SecretBytes all(kTotalBytes);
    std::size_t nbytes = 0, chars = 0;
    unsigned bits = 0, acc = 0;
    for (char c : phrase) {
        if (c == '-' || c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
        int v = decode_char(c);
        if (v < 0) return make_error(Errc::invalid_input, "recovery phrase has a character outside its alphabet");
        if (++chars > kChars) return make_error(Errc::invalid_input, "recovery phrase is too long");
        acc = ((acc << 5) | static_cast<unsigned>(v)) & 0xFFF;
        bits += 5;
        if (bits >= 8) {
            all.data()[nbytes++] = static_cast<unsigned char>(acc >> (bits - 8));
            bits -= 8;
        }
    }
    acc = 0;
    if (chars != kChars) return make_error(Errc::invalid_input, "recovery phrase is too short (56 characters expected)");
    unsigned char sum[kChecksumBytes];
    checksum(all.data(), sum);
    if (sodium_memcmp(sum, all.data() + kRecoveryEntropyBytes, kChecksumBytes) != 0)
        return make_error(Errc::invalid_input, "recovery phrase checksum does not match (typo?)");
    return SecretBytes(all.data(), kRecoveryEntropyBytes);
}

Result<SecretBytes> recovery_key(const SecretBytes &entropy) { return keyed_by_entropy(entropy, kKeyLabel); }

Result<SecretBytes> recovery_verifier(const SecretBytes &entropy) { return keyed_by_entropy(entropy, kVerifierLabel); }

}  // namespace mskanban::crypto
