// The outbound address guard of webhooks (SSRF): which URLs a webhook may name and which
// resolved addresses mskanban-jobs may connect to. A URL is http or https with a plain
// host (a DNS name, an IPv4 literal or a bracketed IPv6 literal) and an optional port; no
// user info, no fragment. An address is refused when it is loopback, private, shared
// (CGNAT), link-local (which holds the cloud metadata services), unique-local, multicast,
// unspecified, reserved or documentation space, and for IPv4-mapped, NAT64 and 6to4
// forms by the IPv4 address they carry; the operator's allow-list (CIDRs in
// webhook_allow_networks) admits what it names. mskanban-jobs resolves a name once,
// checks the address and pins the connection to it (jobs/sender.cpp), so a second
// lookup cannot rebind it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace msk {

struct IpAddr {
    bool v6 = false;
    std::array<uint8_t, 16> b{};  // IPv4: the first 4 bytes
};

struct Cidr {
    IpAddr net;
    int prefix = 0;
};

// A numeric IPv4 (dotted quad) or IPv6 address; nullopt for anything else.
std::optional<IpAddr> parse_ip(const std::string &text);
std::string ip_text(const IpAddr &a);
// "10.0.0.0/8", "fd00::/8"; a bare address is a /32 or /128.
std::optional<Cidr> parse_cidr(const std::string &text);
bool cidr_contains(const Cidr &c, const IpAddr &a);

// Why `a` must not be contacted ("loopback", "private", ...), or nullptr when it is a
// public unicast address.
const char *forbidden_address(const IpAddr &a);
// nullptr when `a` may be contacted: public, or inside one of `allow`.
const char *refuse_address(const IpAddr &a, const std::vector<Cidr> &allow);

struct WebhookUrl {
    bool https = false;
    std::string host;  // a name in lower case, or an address without brackets
    int port = 0;      // the scheme's default when absent
    bool host_is_ip = false;
};
// The parts of a webhook URL, or a message saying what is wrong with it.
struct UrlCheck {
    std::optional<WebhookUrl> url;
    std::string error;
};
UrlCheck parse_webhook_url(const std::string &text);

}  // namespace msk
