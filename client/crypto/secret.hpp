// SecretBytes: a fixed-size byte buffer for key material.
//
// The buffer is allocated once at its final size (so it never reallocates and
// leaves stray copies behind), can be moved but not implicitly copied, and is
// wiped with sodium_memzero when it dies. Use clone() when a copy is really
// meant. Used for the Master Key, authHash input, and every symmetric key.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace mskanban::crypto {

class SecretBytes {
public:
    SecretBytes() = default;
    explicit SecretBytes(std::size_t n) : bytes_(n, 0) {}
    SecretBytes(const unsigned char *p, std::size_t n) : bytes_(p, p + n) {}
    ~SecretBytes() { wipe(); }

    SecretBytes(SecretBytes &&other) noexcept : bytes_(std::move(other.bytes_)) {
        other.bytes_.clear();
    }
    SecretBytes &operator=(SecretBytes &&other) noexcept {
        if (this != &other) {
            wipe();
            bytes_ = std::move(other.bytes_);
            other.bytes_.clear();
        }
        return *this;
    }
    SecretBytes(const SecretBytes &) = delete;
    SecretBytes &operator=(const SecretBytes &) = delete;

    SecretBytes clone() const { return SecretBytes(data(), size()); }

    unsigned char *data() { return bytes_.data(); }
    const unsigned char *data() const { return bytes_.data(); }
    std::size_t size() const { return bytes_.size(); }
    bool empty() const { return bytes_.empty(); }

    // Constant-time comparison; sizes must match.
    bool equals(const SecretBytes &other) const;

    // Fill with random bytes from libsodium.
    static SecretBytes random(std::size_t n);

private:
    void wipe();
    std::vector<unsigned char> bytes_;
};

// Wipe a std::string that held a secret (a password, a phrase) in place.
void wipe_string(std::string &s);

}  // namespace mskanban::crypto
