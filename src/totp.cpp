// TOTP on top of liboath's HOTP.
#include "totp.hpp"

#include <liboath/oath.h>

#include <cstdlib>

#include "crypto.hpp"

namespace msk {

bool totp_init() { return oath_init() == OATH_OK; }

bool is_totp_code(const std::string &code) {
    return code.size() == kTotpDigits && code.find_first_not_of("0123456789") == std::string::npos;
}

std::string base32_encode(const std::string &bytes) {
    char *out = nullptr;
    size_t len = 0;
    if (oath_base32_encode(bytes.data(), bytes.size(), &out, &len) != OATH_OK) return {};
    std::string s(out, len);
    free(out);
    while (!s.empty() && s.back() == '=') s.pop_back();
    return s;
}

std::string totp_code(const std::string &secret, int64_t step) {
    char out[kTotpDigits + 1] = {0};
    if (oath_hotp_generate(secret.data(), secret.size(), static_cast<uint64_t>(step), kTotpDigits,
                           false, SIZE_MAX, out) != OATH_OK)
        return {};
    return out;
}

std::optional<int64_t> totp_match(const std::string &secret, const std::string &code, int64_t now_s,
                                  int64_t last_step) {
    if (!is_totp_code(code)) return std::nullopt;
    int64_t now_step = now_s / kTotpStepSeconds;
    std::optional<int64_t> found;
    // Check every candidate so timing does not reveal which step matched.
    for (int64_t step = now_step - 1; step <= now_step + 1; step++) {
        bool eq = constant_time_equal(totp_code(secret, step), code);
        if (eq && step > last_step && !found) found = step;
    }
    return found;
}

static std::string uri_escape(const std::string &s) {
    static const char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '@') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::string totp_uri(const std::string &secret, const std::string &account) {
    return "otpauth://totp/MSKanban:" + uri_escape(account) + "?secret=" + base32_encode(secret) +
           "&issuer=MSKanban&algorithm=SHA1&digits=6&period=30";
}

}  // namespace msk
