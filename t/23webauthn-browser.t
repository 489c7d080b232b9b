# WebAuthn in Chromium (headless, puppeteer-core, a DevTools virtual authenticator) against
# the test stack's nginx: register a key (packed attestation from the authenticator), log
# in with it, a replayed assertion and one made on another origin refused, a cloned key
# (counter set back) refused, TOTP still accepted when both are set up. The browser part
# is t/js/webauthn-browser.mjs; the page is the test stack's /_test/blank.html.
use strict;
use warnings;
use Test::More;
use IPC::Open2;
use Mojo::JSON qw(encode_json decode_json);
use MSKanban::Test;

my $t = MSKanban::Test->new;
my $js = $t->src . '/t/js';
plan skip_all => 'node packages not installed (scripts/run-tests installs them)' unless -d "$js/node_modules/puppeteer-core";
# CI installs chromium (scripts/install-deps.sh test); outside CI a missing browser skips.
my $chromium = $ENV{MSKANBAN_CHROMIUM} // '/usr/bin/chromium';
if (!-x $chromium) {
    plan skip_all => "no $chromium (Debian package chromium)" unless $ENV{CI};
    fail("CI must have $chromium");
    done_testing;
    exit;
}

my $port = $t->env('MSKANBAN_PORT');
# The account is registered here (its own source address): registration is limited to
# 5 an hour per IP, and Chromium always comes from 127.0.0.1.
my $reg = $t->registration;
$t->ok_status($t->client->post('/auth/register', $reg), 201, 'account registered');
my $pid = open2(my $out, my $in, 'node', "$js/webauthn-browser.mjs");
print $in encode_json({ url => "http://localhost:$port", registration => $reg, chromium => $chromium });
close $in;
my $line = <$out>;
waitpid $pid, 0;
my $s = eval { decode_json($line // '') } // {};
note explain $s;
ok(!$s->{error}, 'the browser script ran to the end') or diag $s->{error};

is($s->{login_password}, 200, 'password login');
is($s->{register_begin}, 200, 'registration options');
is($s->{register_finish}, 201, 'the virtual authenticator\'s key registered');
is($s->{register_algorithm}, 'ES256', 'ES256');
is($s->{register_fmt}, 'webauthn.create', 'made by navigator.credentials.create');
is($s->{listed}, 1, 'listed');
is($s->{logout}, 204, 'logout');
is($s->{login_offer}, '401 WEBAUTHN_REQUIRED', 'login asks for the key');
is($s->{login_key}, 200, 'log in with the key');
is($s->{me_after_key}, 200, 'signed in');
is($s->{replay}, 401, 'a replayed assertion is refused');
like($s->{foreign_origin} // '', qr{^http://localhost:\d+$}, 'the browser signed on another origin');
isnt($s->{foreign_origin}, "http://localhost:$port", 'a different origin');
is($s->{wrong_origin}, 401, 'an assertion from another origin is refused');
ok(($s->{authenticator_sign_count} // 0) > 0, 'the authenticator counts signatures');
is($s->{cloned_counter}, 401, 'a sign count that went back is refused');
is($s->{totp_enroll}, 200, 'TOTP enrollment');
is($s->{totp_enable}, 200, 'TOTP enabled as well');
is($s->{both_offer}, '401 WEBAUTHN_REQUIRED totp=true', 'both set up: the key is asked for, TOTP named');
is($s->{login_totp}, 200, 'a TOTP code still logs in');
is($s->{me_after_totp}, 200, 'signed in with TOTP');

my ($failures) = $t->dbh->selectrow_array(
    'SELECT count(*) FROM webauthn_credentials c JOIN users u ON u.id = c.user_id WHERE u.email = ?', undef, $reg->{email});
is($failures, 1, 'one key stored');

done_testing;
