# Losing Redis: health says so, credential routes fail closed (503), everything else is
# served; when Redis returns, so does normal service. Losing PostgreSQL for a restart:
# workers reconnect by themselves.
use strict;
use warnings;
use Test::More;
use MSKanban::Test;

my $t = MSKanban::Test->new;
my $u = $t->user;
my $reg = $t->registration;

$t->stack('stop-redis');
my $h = $t->client->get('/health');
$t->ok_status($h, 503, 'health with Redis down');
is($h->{json}{redis}, 'down', 'health names Redis');
is($h->{json}{db}, 'up', 'and not the database');

$t->error_is($t->client->post('/auth/login', { email => $u->email, authHash => $u->{authHash} }), 503, 'UNAVAILABLE',
    'login fails closed without Redis');
$t->error_is($t->client->post('/auth/register', $reg), 503, 'UNAVAILABLE', 'register fails closed without Redis');
is($t->count_rows('SELECT 1 FROM users WHERE email = $1', $reg->{email}), 0, 'nothing stored');
$t->ok_status($u->get('/me'), 200, 'reads are served without Redis');
$t->error_is($u->post('/auth/ws-ticket', { room => 'board:cnosuchboard000000000000' }), 404, 'NOT_FOUND',
    'mutations are served without Redis (rate limit open)');

$t->stack('start-redis');
sleep 1.2;    # the workers retry Redis at most once a second
$t->ok_status($t->client->get('/health'), 200, 'health after Redis is back');
$t->ok_status($t->client->post('/auth/register', $reg), 201, 'register after Redis is back');
is($t->client->login($u->email, $u->{authHash})->{status}, 200, 'login after Redis is back');

# PostgreSQL restart: at most one 503 per worker thread, then normal service.
$t->stack('restart-pg');
my $ok = 0;
for (1 .. 20) {
    my $r = $u->get('/me');
    if ($r->{status} == 200) { $ok++ }
    else { is($r->{json}{error}{code}, 'UNAVAILABLE', 'a request on a dropped connection is a clean 503') }
}
cmp_ok($ok, '>=', 10, 'workers reconnect to PostgreSQL');
$t->ok_status($u->get('/me'), 200, 'served after the database restart');

done_testing;
