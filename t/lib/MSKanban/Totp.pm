package MSKanban::Totp;
# RFC 6238 TOTP for tests, written independently of the server's liboath-based code.
use strict;
use warnings;
use Digest::SHA qw(hmac_sha1);
use Exporter 'import';
our @EXPORT_OK = qw(totp_code base32_decode);

sub base32_decode {
    my ($s) = @_;
    my $alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    my $bits = join '', map { sprintf '%05b', index($alphabet, $_) } split //, uc $s;
    $bits = substr($bits, 0, length($bits) - length($bits) % 8);
    return pack 'B*', $bits;
}

# The 6-digit code for the secret (raw bytes) at unix time $t (default now).
sub totp_code {
    my ($secret, $t) = @_;
    my $step = int(($t // time) / 30);
    my $mac = hmac_sha1(pack('NN', int($step / 2**32), $step % 2**32), $secret);
    my $off = ord(substr $mac, -1) & 0x0f;
    my $bin = unpack('N', substr $mac, $off, 4) & 0x7fffffff;
    return sprintf '%06d', $bin % 1_000_000;
}

1;
