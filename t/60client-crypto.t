#!/usr/bin/perl
# Client crypto interop: the C++ library (client/crypto/) against an independent
# JavaScript implementation (t/js/client-crypto.mjs: libsodium-wrappers-sumo and
# hash-wasm). Both check the frozen vectors in t/vectors/client-crypto.json, then
# each side checks fresh random cases made by the other (JS encrypts and C++
# decrypts, and the reverse; same password and salts give the same authHash).
#
# Needs: node, t/js/node_modules (npm ci), and the build's
# t/unit/client_crypto_interop (make check). MSKANBAN_BUILDDIR or MSKANBAN_BUILD
# (set by scripts/run-tests) names the build directory (default: build/).
use strict;
use warnings;
use Test::More;
use File::Basename qw(dirname);
use File::Spec;
use File::Temp qw(tempdir);
use Cwd qw(abs_path);
use JSON::PP;

my $top = abs_path(File::Spec->catdir(dirname(__FILE__), '..'));
my $vectors = "$top/t/vectors/client-crypto.json";
my $js = "$top/t/js/client-crypto.mjs";

my @builds = grep { defined && length } ($ENV{MSKANBAN_BUILDDIR}, $ENV{MSKANBAN_BUILD}, "$top/build", $top);
my ($interop) = grep { -x } map { "$_/t/unit/client_crypto_interop" } @builds;

plan skip_all => 'node not installed' unless system('node --version >/dev/null 2>&1') == 0;
unless (-d "$top/t/js/node_modules/libsodium-wrappers-sumo" && -d "$top/t/js/node_modules/hash-wasm") {
    system("cd '$top/t/js' && npm ci --no-audit --no-fund >/dev/null 2>&1");
    plan skip_all => 'npm ci in t/js failed (registry unreachable?)'
        unless -d "$top/t/js/node_modules/hash-wasm";
}
plan skip_all => 'client_crypto_interop not built (run make check; set MSKANBAN_BUILDDIR)'
    unless $interop;

my $dir = tempdir(CLEANUP => 1);

# Run a command; returns (exit status, output). TAP-like lines are passed
# through as notes so a failure names its case.
sub run {
    my ($cmd) = @_;
    my $out = `$cmd 2>&1`;
    return ($? >> 8, $out);
}

sub check_side {
    my ($name, $cmd) = @_;
    my ($rc, $out) = run($cmd);
    my @bad = grep { /^not ok/ } split /\n/, $out;
    my ($count) = $out =~ /^1\.\.(\d+)$/m;
    ok($rc == 0 && !@bad && $count, "$name (" . ($count // 0) . ' cases)')
        or diag($out);
}

# The statements of docs/client.md that an independent client most easily gets wrong
# each have a fixed section; both sides below check them (strict UTF-8 text with NUL and
# BOM kept, strict base64url, the fingerprint format, recovery phrase parsing).
{
    open my $fh, '<', $vectors or die "$vectors: $!";
    my $doc = JSON::PP->new->utf8->decode(do { local $/; <$fh> });
    for my $section (qw(text base64url fingerprints recoveryParsing)) {
        ok(ref $doc->{$section} eq 'ARRAY' && @{ $doc->{$section} } >= 3, "vectors hold the spec section '$section'");
    }
    ok((grep { !defined $_->{text} } @{ $doc->{text} }) >= 3, 'text: plaintexts that are not UTF-8 must be refused');
    ok((grep { defined $_->{text} && $_->{text} =~ /\x1b/ && $_->{text} =~ /\0/ } @{ $doc->{text} }), 'text: ESC and NUL are valid text');
}

check_side('JS reproduces the frozen vectors', "node '$js' check '$vectors'");
check_side('C++ reproduces the frozen vectors', "'$interop' check '$vectors'");

my ($rc, $out) = run("node '$js' fresh > '$dir/js.json'");
is($rc, 0, 'JS made fresh cases') or diag($out);
check_side('C++ decrypts what JS encrypted', "'$interop' check '$dir/js.json'");

($rc, $out) = run("'$interop' fresh > '$dir/cpp.json'");
is($rc, 0, 'C++ made fresh cases') or diag($out);
check_side('JS decrypts what C++ encrypted', "node '$js' check '$dir/cpp.json'");

done_testing();
