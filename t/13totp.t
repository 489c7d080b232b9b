# TOTP: enroll, verify, login with a code, a code accepted once, disable.
use strict;
use warnings;
use Test::More;
use MSKanban::Test;
use MSKanban::Totp qw(totp_code base32_decode);

my $t = MSKanban::Test->new;
my $u = $t->user;

$t->error_is($t->client->post('/auth/2fa/enroll'), 401, 'UNAUTHORIZED', 'enroll without a session');
$t->error_is($u->post('/auth/2fa/verify', { code => '123456' }), 409, 'CONFLICT', 'verify before enrolling');

my $e = $u->post('/auth/2fa/enroll');
$t->ok_status($e, 200, 'enroll');
my $secret = base32_decode($e->{json}{secret});
is(length $secret, 20, '160-bit secret');
like($e->{json}{otpauthUri}, qr/^otpauth:\/\/totp\/MSKanban:.*secret=$e->{json}{secret}.*&digits=6&period=30/, 'otpauth URI');

# The secret is sealed at rest.
my ($pending) = $t->dbh->selectrow_array('SELECT totp_pending FROM users WHERE id = ?', undef, $u->id);
like($pending, qr/^v1\./, 'pending secret stored sealed');
unlike($pending, qr/\Q$e->{json}{secret}\E/, 'not the base32 secret');

# Enrollment alone does not change login.
is($t->client->login($u->email, $u->{authHash})->{status}, 200, 'login works before verify');

$t->error_is($u->post('/auth/2fa/verify', { code => 'abcdef' }), 400, 'BAD_REQUEST', 'verify: not digits');
$t->error_is($u->post('/auth/2fa/verify', {}), 400, 'BAD_REQUEST', 'verify: no code');
my $wrong = sprintf '%06d', (totp_code($secret) + 1) % 1_000_000;
$t->error_is($u->post('/auth/2fa/verify', { code => $wrong }), 400, 'BAD_REQUEST', 'verify: wrong code');

# Use the previous step's code for verify so the current one is fresh for login.
my $v = $u->post('/auth/2fa/verify', { code => totp_code($secret, time - 30) });
$t->ok_status($v, 200, 'verify enables TOTP');
is($v->{json}{totpEnabled}, Mojo::JSON->true, 'enabled');
is($u->get('/me')->{json}{user}{totpEnabled}, Mojo::JSON->true, '/me says enabled');
$t->error_is($u->post('/auth/2fa/enroll'), 409, 'CONFLICT', 'enroll again while enabled');

my $c = $t->client;
my $r = $c->post('/auth/login', { email => $u->email, authHash => $u->{authHash} });
$t->error_is($r, 401, 'TOTP_REQUIRED', 'login without a code');
ok(!$r->{headers}{'Set-Cookie'}, 'no session without the code');
$r = $c->post('/auth/login', { email => $u->email, authHash => $u->{authHash}, totp => $wrong });
$t->error_is($r, 401, 'UNAUTHORIZED', 'login with a wrong code');
$r = $c->post('/auth/login', { email => $u->email, authHash => random_b64(32), totp => totp_code($secret) });
$t->error_is($r, 401, 'UNAUTHORIZED', 'right code, wrong authHash');

my $code = totp_code($secret);
$r = $c->post('/auth/login', { email => $u->email, authHash => $u->{authHash}, totp => $code });
$t->ok_status($r, 200, 'login with a code');
$r = $t->client->post('/auth/login', { email => $u->email, authHash => $u->{authHash}, totp => $code });
$t->error_is($r, 401, 'UNAUTHORIZED', 'the same code again is refused');
$r = $t->client->post('/auth/login', { email => $u->email, authHash => $u->{authHash}, totp => totp_code($secret, time - 30) });
$t->error_is($r, 401, 'UNAUTHORIZED', 'an older code after a newer one is refused');

# Disable needs a current, unused code. Wait for the next step if needed.
$t->error_is($u->post('/auth/2fa/disable', { code => $code }), 400, 'BAD_REQUEST', 'disable with a used code');
sleep(30 - time % 30 + 1);
my $d = $u->post('/auth/2fa/disable', { code => totp_code($secret) });
$t->ok_status($d, 200, 'disable');
is($t->client->login($u->email, $u->{authHash})->{status}, 200, 'login without a code again');
$t->error_is($u->post('/auth/2fa/disable', { code => totp_code($secret) }), 409, 'CONFLICT', 'disable when off');

done_testing;
