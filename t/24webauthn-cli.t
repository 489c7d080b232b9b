# `mskanban 2fa webauthn list|rm`: the CLI lists and removes security keys (with a TOTP code
# as the step-up a removal needs; a key-only account is told to use a browser); registering or
# using one needs a browser (t/23webauthn-browser.t). The key row is written directly:
# what is tested here is the CLI, through the OpenAPI-checking proxy.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use Mojo::JSON qw(decode_json);
use MSKanban::Test;
use MSKanban::Cli;
use MSKanban::Proxy;
use MSKanban::Totp qw(totp_code base32_decode);

my $t = MSKanban::Test->new;
my $cli = MSKanban::Cli::binary($t);
my $proxy = MSKanban::Proxy->new($t);
my $dir = tempdir(CLEANUP => 1);
my $me = { email => "cli-webauthn-$$-" . int(rand 1e9) . '@example.org', password => 'correct horse webauthn',
           state => "$dir/me.json", ip => MSKanban::Test->next_ip, server => $proxy->url };
sub run_ok { MSKanban::Cli::run_ok($cli, $me, @_) }

run_ok('register', 'register', $me->{email});
like(run_ok('no keys', '2fa', 'webauthn', 'list'), qr/No security keys/, 'no keys at first');
my ($uid) = $t->dbh->selectrow_array('SELECT id FROM users WHERE email = ?', undef, $me->{email});
my $kid = 'cwa' . join '', map { ('a' .. 'z')[ rand 26 ] } 1 .. 20;
$t->dbh->do("INSERT INTO webauthn_credentials (id, user_id, credential_id, public_key, cose_alg) VALUES (?, ?, ?, 'AAAA', -7)",
    undef, $kid, $uid, "cred-$kid");
like(run_ok('list', '2fa', 'webauthn', 'list'), qr/^\Q$kid\E  ES256  added \S+  last used never$/m, 'the key is listed');
my $json = decode_json(run_ok('list --json', '--json', '2fa', 'webauthn', 'list'));
is($json->[0]{id}, $kid, '--json lists it too');
my ($rc, undef, $err) = MSKanban::Cli::run($cli, $me, '2fa', 'webauthn', 'rm', '../sessions/x');
is($rc, 2, 'a KEY_ID that is not an id is a usage error');
($rc) = MSKanban::Cli::run($cli, $me, '2fa', 'webauthn', 'rm', 'cnosuchkey');
isnt($rc, 0, 'an unknown key fails');
# Removing a key needs a step-up factor; the CLI can only send a TOTP code.
($rc, undef, $err) = MSKanban::Cli::run($cli, $me, '2fa', 'webauthn', 'rm', $kid);
is($rc, 3, 'a key-only account: the CLI cannot remove the key (exit 3)');
like($err, qr/in a browser client, or turn TOTP on and pass --totp/, 'and says what would');
is($t->count_rows('SELECT 1 FROM webauthn_credentials WHERE id = ?', $kid), 1, 'the key is still there');
my $token = decode_json(do { open my $fh, '<', $me->{state} or die $!; local $/; <$fh> })->{sessionToken};
my $api = $t->client;
my %cookie = (Cookie => "mskanban_session=$token");
my $secret = base32_decode($api->post('/auth/2fa/enroll', {}, \%cookie)->{json}{secret} // '');
$t->ok_status($api->post('/auth/2fa/verify', { code => totp_code($secret, time - 30) }, \%cookie), 200, 'TOTP on');
($rc, undef, $err) = MSKanban::Cli::run($cli, $me, '2fa', 'webauthn', 'rm', $kid);
is($rc, 2, 'TOTP on and no code (no terminal): usage error');
like($err, qr/--totp CODE or set MSKANBAN_TOTP/, 'says where the code goes');
like(run_ok('rm --totp', '2fa', 'webauthn', 'rm', $kid, '--totp', totp_code($secret)), qr/removed/, 'removed with --totp');
is($t->count_rows('SELECT 1 FROM webauthn_credentials WHERE id = ?', $kid), 0, 'gone from the database');

done_testing;
