// The outbound address guard (see netguard.hpp). Ranges from the IANA IPv4 and IPv6
// special-purpose address registries (RFC 6890 and its updates).
#include "netguard.hpp"

#include <arpa/inet.h>

#include <cctype>
#include <cstring>

namespace msk {

namespace {

struct Range {
    const char *cidr;
    const char *why;
};

// IPv4 ranges no webhook may reach (unless allow-listed).
const Range kV4[] = {
    {"0.0.0.0/8", "unspecified"},        // "this network", 0.0.0.0
    {"10.0.0.0/8", "private"},           // RFC 1918
    {"100.64.0.0/10", "shared"},         // carrier-grade NAT (also Alibaba's metadata host)
    {"127.0.0.0/8", "loopback"},
    {"169.254.0.0/16", "link-local"},    // holds 169.254.169.254, the cloud metadata service
    {"172.16.0.0/12", "private"},        // RFC 1918
    {"192.0.0.0/24", "reserved"},        // IETF protocol assignments
    {"192.0.2.0/24", "documentation"},
    {"192.88.99.0/24", "reserved"},      // 6to4 relay anycast
    {"192.168.0.0/16", "private"},       // RFC 1918
    {"198.18.0.0/15", "reserved"},       // benchmarking
    {"198.51.100.0/24", "documentation"},
    {"203.0.113.0/24", "documentation"},
    {"224.0.0.0/4", "multicast"},
    {"240.0.0.0/4", "reserved"},         // and 255.255.255.255, broadcast
};

// IPv6 ranges refused outright. Mapped, NAT64 and 6to4 forms are judged by the IPv4
// address inside them (below).
const Range kV6[] = {
    {"::/128", "unspecified"},
    {"::1/128", "loopback"},
    {"::/96", "reserved"},               // IPv4-compatible (deprecated)
    {"100::/64", "reserved"},            // discard
    {"2001::/32", "reserved"},           // Teredo: carries an obfuscated IPv4 address
    {"2001:db8::/32", "documentation"},
    {"fc00::/7", "unique-local"},        // holds fd00:ec2::254, a cloud metadata service
    {"fe80::/10", "link-local"},
    {"fec0::/10", "site-local"},         // deprecated
    {"ff00::/8", "multicast"},
};

const std::vector<Cidr> &table(bool v6) {
    static const std::vector<Cidr> v4s = [] {
        std::vector<Cidr> out;
        for (const auto &r : kV4) out.push_back(*parse_cidr(r.cidr));
        return out;
    }();
    static const std::vector<Cidr> v6s = [] {
        std::vector<Cidr> out;
        for (const auto &r : kV6) out.push_back(*parse_cidr(r.cidr));
        return out;
    }();
    return v6 ? v6s : v4s;
}

IpAddr v4_of(const uint8_t *p) {
    IpAddr a;
    std::memcpy(a.b.data(), p, 4);
    return a;
}

bool starts(const IpAddr &a, std::initializer_list<uint8_t> prefix) {
    size_t i = 0;
    for (uint8_t x : prefix)
        if (a.b[i++] != x) return false;
    return true;
}

// The IPv4 address an IPv6 address stands for, where it stands for one: IPv4-mapped
// (::ffff:a.b.c.d), NAT64 (64:ff9b::a.b.c.d) and 6to4 (2002:aabb:ccdd::).
std::optional<IpAddr> embedded_v4(const IpAddr &a) {
    if (starts(a, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff})) return v4_of(&a.b[12]);
    if (starts(a, {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0})) return v4_of(&a.b[12]);
    if (starts(a, {0x20, 0x02})) return v4_of(&a.b[2]);
    return std::nullopt;
}

bool is_port(const std::string &s, int &port) {
    if (s.empty() || s.size() > 5) return false;
    long n = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
        n = n * 10 + (c - '0');
    }
    if (n < 1 || n > 65535) return false;
    port = static_cast<int>(n);
    return true;
}

// A DNS name: labels of [a-z0-9-], 1..63 each, 253 in all; not all digits and dots
// (a resolver would read "2130706433" or "127.1" as an address).
bool is_dns_name(const std::string &h) {
    if (h.empty() || h.size() > 253) return false;
    size_t label = 0;
    bool letter = false;
    for (char c : h) {
        if (c == '.') {
            if (label == 0) return false;
            label = 0;
            continue;
        }
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-')) return false;
        if (std::isalpha(static_cast<unsigned char>(c))) letter = true;
        if (++label > 63) return false;
    }
    if (h.rfind("0x", 0) == 0) return false;
    return letter;
}

}  // namespace

std::optional<IpAddr> parse_ip(const std::string &text) {
    IpAddr a;
    if (text.find(':') != std::string::npos) {
        if (inet_pton(AF_INET6, text.c_str(), a.b.data()) != 1) return std::nullopt;
        a.v6 = true;
        return a;
    }
    if (inet_pton(AF_INET, text.c_str(), a.b.data()) != 1) return std::nullopt;
    return a;
}

std::string ip_text(const IpAddr &a) {
    char buf[INET6_ADDRSTRLEN] = "";
    inet_ntop(a.v6 ? AF_INET6 : AF_INET, a.b.data(), buf, sizeof buf);
    return buf;
}

std::optional<Cidr> parse_cidr(const std::string &text) {
    auto slash = text.find('/');
    auto ip = parse_ip(text.substr(0, slash));
    if (!ip) return std::nullopt;
    int max = ip->v6 ? 128 : 32, prefix = max;
    if (slash != std::string::npos) {
        std::string p = text.substr(slash + 1);
        if (p.empty() || p.size() > 3) return std::nullopt;
        prefix = 0;
        for (char c : p) {
            if (c < '0' || c > '9') return std::nullopt;
            prefix = prefix * 10 + (c - '0');
        }
        if (prefix > max) return std::nullopt;
    }
    return Cidr{*ip, prefix};
}

bool cidr_contains(const Cidr &c, const IpAddr &a) {
    if (c.net.v6 != a.v6) return false;
    int bits = c.prefix;
    for (int i = 0; bits > 0; ++i, bits -= 8) {
        uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
        if ((c.net.b[i] & mask) != (a.b[i] & mask)) return false;
    }
    return true;
}

const char *forbidden_address(const IpAddr &a) {
    if (a.v6) {
        if (auto v4 = embedded_v4(a)) {
            const char *why = forbidden_address(*v4);
            // A mapped address is refused outright: a socket given one talks IPv4.
            if (starts(a, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff})) return why ? why : "ipv4-mapped";
            return why;
        }
        const auto &t = table(true);
        for (size_t i = 0; i < t.size(); ++i)
            if (cidr_contains(t[i], a)) return kV6[i].why;
        return nullptr;
    }
    const auto &t = table(false);
    for (size_t i = 0; i < t.size(); ++i)
        if (cidr_contains(t[i], a)) return kV4[i].why;
    return nullptr;
}

const char *refuse_address(const IpAddr &a, const std::vector<Cidr> &allow) {
    // The allow-list names IPv4 networks; a mapped form of one of their addresses is the
    // same host.
    IpAddr plain = a;
    if (a.v6 && starts(a, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff})) plain = v4_of(&a.b[12]);
    for (const auto &c : allow)
        if (cidr_contains(c, plain) || cidr_contains(c, a)) return nullptr;
    return forbidden_address(a);
}

UrlCheck parse_webhook_url(const std::string &text) {
    UrlCheck out;
    WebhookUrl u;
    if (text.size() > 2048) return {std::nullopt, "the URL is longer than 2048 characters"};
    for (char c : text)
        if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f)
            return {std::nullopt, "the URL holds a space, a control or a non-ASCII character"};
    std::string rest;
    if (text.rfind("https://", 0) == 0) {
        u.https = true;
        rest = text.substr(8);
    } else if (text.rfind("http://", 0) == 0) {
        rest = text.substr(7);
    } else {
        return {std::nullopt, "the URL must start with http:// or https://"};
    }
    if (text.find('#') != std::string::npos) return {std::nullopt, "the URL must not have a fragment"};
    std::string authority = rest.substr(0, rest.find_first_of("/?"));
    if (authority.find('@') != std::string::npos) return {std::nullopt, "the URL must not hold user info"};
    std::string host, port;
    if (!authority.empty() && authority[0] == '[') {
        auto close = authority.find(']');
        if (close == std::string::npos) return {std::nullopt, "unterminated IPv6 literal"};
        host = authority.substr(1, close - 1);
        std::string after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after[0] != ':') return {std::nullopt, "unexpected text after the IPv6 literal"};
            port = after.substr(1);
        }
        auto ip = parse_ip(host);
        if (!ip || !ip->v6) return {std::nullopt, "the bracketed host is not an IPv6 address"};
        u.host = ip_text(*ip);
        u.host_is_ip = true;
    } else {
        auto colon = authority.find(':');
        host = authority.substr(0, colon);
        if (colon != std::string::npos) port = authority.substr(colon + 1);
        for (auto &c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (host.size() > 1 && host.back() == '.') host.pop_back();
        if (auto ip = parse_ip(host)) {
            u.host = ip_text(*ip);
            u.host_is_ip = true;
        } else if (is_dns_name(host)) {
            u.host = host;
        } else {
            return {std::nullopt, "the host must be a DNS name or an IP address"};
        }
    }
    u.port = u.https ? 443 : 80;
    if (!port.empty() && !is_port(port, u.port)) return {std::nullopt, "the port must be a number from 1 to 65535"};
    out.url = u;
    return out;
}

}  // namespace msk
