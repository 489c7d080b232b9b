// The webhook address guard (src/netguard.hpp): every forbidden range, IPv4, IPv6 and the
// forms that carry an IPv4 address, the allow-list, and the URL shapes it accepts.
#include <string>
#include <vector>

#include "netguard.hpp"

#include "CppUTest/TestHarness.h"

using namespace msk;

namespace {

std::string why(const std::string &addr, const std::vector<Cidr> &allow = {}) {
    auto a = parse_ip(addr);
    if (!a) return "unparsable";
    const char *r = refuse_address(*a, allow);
    return r ? r : "";
}

}  // namespace

TEST_GROUP(NetguardV4){};

TEST(NetguardV4, RefusesEveryForbiddenRange) {
    struct {
        const char *addr, *why;
    } cases[] = {
        {"0.0.0.0", "unspecified"},      {"0.1.2.3", "unspecified"},
        {"10.0.0.1", "private"},         {"10.255.255.255", "private"},
        {"100.64.0.1", "shared"},        {"100.100.100.200", "shared"},
        {"100.127.255.255", "shared"},   {"127.0.0.1", "loopback"},
        {"127.255.255.254", "loopback"}, {"169.254.169.254", "link-local"},
        {"169.254.0.1", "link-local"},   {"172.16.0.1", "private"},
        {"172.31.255.255", "private"},   {"192.0.0.8", "reserved"},
        {"192.0.2.1", "documentation"},  {"192.88.99.1", "reserved"},
        {"192.168.0.1", "private"},      {"192.168.255.255", "private"},
        {"198.18.0.1", "reserved"},      {"198.19.255.255", "reserved"},
        {"198.51.100.7", "documentation"}, {"203.0.113.9", "documentation"},
        {"224.0.0.1", "multicast"},      {"239.255.255.250", "multicast"},
        {"240.0.0.1", "reserved"},       {"255.255.255.255", "reserved"},
    };
    for (const auto &c : cases) STRCMP_EQUAL_TEXT(c.why, why(c.addr).c_str(), c.addr);
}

TEST(NetguardV4, AdmitsPublicAddressesAtTheEdges) {
    for (const char *a : {"1.1.1.1", "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0", "126.255.255.255",
                          "128.0.0.0", "169.253.255.255", "169.255.0.0", "172.15.255.255", "172.32.0.0",
                          "192.167.255.255", "192.169.0.0", "198.17.255.255", "198.20.0.0", "223.255.255.255"})
        STRCMP_EQUAL_TEXT("", why(a).c_str(), a);
}

TEST_GROUP(NetguardV6){};

TEST(NetguardV6, RefusesEveryForbiddenRange) {
    struct {
        const char *addr, *why;
    } cases[] = {
        {"::", "unspecified"},
        {"::1", "loopback"},
        {"::7f00:1", "reserved"},  // IPv4-compatible ::127.0.0.1
        {"100::1", "reserved"},
        {"2001::1", "reserved"},  // Teredo
        {"2001:db8::1", "documentation"},
        {"fc00::1", "unique-local"},
        {"fd00:ec2::254", "unique-local"},  // AWS metadata over IPv6
        {"fdff:ffff::1", "unique-local"},
        {"fe80::1", "link-local"},
        {"febf:ffff::1", "link-local"},
        {"fec0::1", "site-local"},
        {"ff02::1", "multicast"},
        {"ff05::1:3", "multicast"},
    };
    for (const auto &c : cases) STRCMP_EQUAL_TEXT(c.why, why(c.addr).c_str(), c.addr);
}

TEST(NetguardV6, JudgesMappedNat64And6to4ByTheirIpv4Address) {
    STRCMP_EQUAL("loopback", why("::ffff:127.0.0.1").c_str());
    STRCMP_EQUAL("loopback", why("::ffff:7f00:1").c_str());
    STRCMP_EQUAL("private", why("::ffff:10.1.2.3").c_str());
    STRCMP_EQUAL("private", why("::ffff:192.168.1.1").c_str());
    STRCMP_EQUAL("link-local", why("::ffff:169.254.169.254").c_str());
    STRCMP_EQUAL("unspecified", why("::ffff:0.0.0.0").c_str());
    STRCMP_EQUAL("multicast", why("::ffff:224.0.0.1").c_str());
    // Mapped addresses are refused even for a public IPv4 address.
    STRCMP_EQUAL("ipv4-mapped", why("::ffff:1.1.1.1").c_str());
    STRCMP_EQUAL("loopback", why("64:ff9b::127.0.0.1").c_str());
    STRCMP_EQUAL("link-local", why("64:ff9b::a9fe:a9fe").c_str());
    STRCMP_EQUAL("", why("64:ff9b::1.1.1.1").c_str());
    STRCMP_EQUAL("private", why("2002:0a00:0001::1").c_str());
    STRCMP_EQUAL("loopback", why("2002:7f00:0001::").c_str());
    STRCMP_EQUAL("", why("2002:0101:0101::1").c_str());
}

TEST(NetguardV6, AdmitsPublicAddresses) {
    for (const char *a : {"2606:4700:4700::1111", "2a00:1450:4001::1", "fbff::1", "fe7f::1", "ff00::"}) {
        if (std::string(a) == "ff00::") continue;
        STRCMP_EQUAL_TEXT("", why(a).c_str(), a);
    }
}

TEST_GROUP(NetguardAllow){};

TEST(NetguardAllow, AdmitsWhatTheListNamesAndNothingElse) {
    std::vector<Cidr> allow = {*parse_cidr("127.0.0.2/32"), *parse_cidr("10.1.0.0/16"), *parse_cidr("fd12::/16")};
    STRCMP_EQUAL("", why("127.0.0.2", allow).c_str());
    STRCMP_EQUAL("", why("::ffff:127.0.0.2", allow).c_str());
    STRCMP_EQUAL("loopback", why("127.0.0.1", allow).c_str());
    STRCMP_EQUAL("", why("10.1.200.3", allow).c_str());
    STRCMP_EQUAL("private", why("10.2.0.1", allow).c_str());
    STRCMP_EQUAL("", why("fd12:3456::1", allow).c_str());
    STRCMP_EQUAL("unique-local", why("fd13::1", allow).c_str());
    STRCMP_EQUAL("loopback", why("::1", allow).c_str());
}

TEST(NetguardAllow, ParsesCidrs) {
    CHECK(parse_cidr("10.0.0.0/8").has_value());
    CHECK(parse_cidr("::1").has_value());
    CHECK_EQUAL(128, parse_cidr("::1")->prefix);
    CHECK_EQUAL(0, parse_cidr("0.0.0.0/0")->prefix);
    CHECK_FALSE(parse_cidr("10.0.0.0/33"));
    CHECK_FALSE(parse_cidr("::/129"));
    CHECK_FALSE(parse_cidr("10.0.0.0/"));
    CHECK_FALSE(parse_cidr("10.0.0/8"));
    CHECK_FALSE(parse_cidr("example.org/8"));
}

TEST_GROUP(NetguardUrl){};

TEST(NetguardUrl, AcceptsHttpAndHttpsWithNamesAndLiterals) {
    auto u = parse_webhook_url("https://Hooks.Example.org/in?x=1");
    CHECK(u.url.has_value());
    STRCMP_EQUAL("hooks.example.org", u.url->host.c_str());
    CHECK_EQUAL(443, u.url->port);
    CHECK_FALSE(u.url->host_is_ip);
    u = parse_webhook_url("http://127.0.0.2:8080/x");
    CHECK(u.url.has_value());
    CHECK(u.url->host_is_ip);
    CHECK_EQUAL(8080, u.url->port);
    u = parse_webhook_url("http://[::1]:9/");
    CHECK(u.url.has_value());
    STRCMP_EQUAL("::1", u.url->host.c_str());
    CHECK_EQUAL(9, u.url->port);
}

TEST(NetguardUrl, RefusesOtherSchemesUserInfoAndNumericNames) {
    for (const char *bad : {"ftp://example.org/", "file:///etc/passwd", "gopher://x/", "http://user@example.org/",
                            "http://a:b@example.org/", "http://example.org/#frag", "http:///path",
                            "http://2130706433/", "http://127.1/", "http://0x7f.0.0.1/", "http://example.org:0/",
                            "http://example.org:65536/", "http://[::1/", "http://[127.0.0.1]/", "http://exa mple.org/",
                            "HTTP://example.org/", "http://ex_ample.org/", "javascript:alert(1)"})
        CHECK_TEXT(!parse_webhook_url(bad).url, bad);
}
