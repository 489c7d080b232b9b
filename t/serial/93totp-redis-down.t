# Without Redis there is no count of wrong TOTP codes, so /auth/2fa/verify and
# /auth/2fa/disable fail closed (503) like login, and nothing changes.
use strict;
use warnings;
use Test::More;
use MSKanban::Test;
use MSKanban::Totp qw(totp_code base32_decode);

my $t = MSKanban::Test->new;
$t->wait_healthy;
my $u = $t->user;
my $e = $u->post('/auth/2fa/enroll');
$t->ok_status($e, 200, 'enroll');
my $secret = base32_decode($e->{json}{secret});
my $on = $t->user;
my $s2 = base32_decode($on->post('/auth/2fa/enroll')->{json}{secret});
$t->ok_status($on->post('/auth/2fa/verify', { code => totp_code($s2, time - 30) }), 200, 'a second user has TOTP on');

$t->stack('stop-redis');
$t->error_is($u->post('/auth/2fa/verify', { code => '000000' }), 503, 'UNAVAILABLE', 'verify fails closed');
$t->error_is($u->post('/auth/2fa/verify', { code => totp_code($secret) }), 503, 'UNAVAILABLE',
    'even with the right code');
$t->error_is($on->post('/auth/2fa/disable', { code => totp_code($s2) }), 503, 'UNAVAILABLE', 'disable fails closed');
my ($pending, $secret_set) = $t->dbh->selectrow_array(
    'SELECT totp_pending IS NOT NULL, totp_secret IS NOT NULL FROM users WHERE id = ?', undef, $u->id);
ok($pending && !$secret_set, 'nothing changed');
my ($still) = $t->dbh->selectrow_array('SELECT totp_secret IS NOT NULL FROM users WHERE id = ?', undef, $on->id);
ok($still, 'TOTP still on for the second user');
$t->stack('start-redis');
$t->wait_healthy;
$t->ok_status($u->post('/auth/2fa/verify', { code => totp_code($secret) }), 200, 'verify once Redis is back');
done_testing;
