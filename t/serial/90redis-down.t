# Losing Redis: health says so, credential routes fail closed (503), everything else is
# served; when Redis returns, so does normal service. Losing PostgreSQL for a restart:
# workers reconnect by themselves.
use strict;
use warnings;
use Test::More;
use Mojo::IOLoop;
use MSKanban::Test;

my $t = MSKanban::Test->new;
$t->wait_healthy;    # earlier serial tests restart services
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
$t->wait_healthy;
$t->ok_status($t->client->get('/health'), 200, 'health after Redis is back');
$t->ok_status($t->client->post('/auth/register', $reg), 201, 'register after Redis is back');
is($t->client->login($u->email, $u->{authHash})->{status}, 200, 'login after Redis is back');

# PostgreSQL restart: workers notice their dropped connections before using them and
# reconnect, so no request fails once the database is back (20 requests from 16
# concurrent clients reach every worker thread).
$t->stack('restart-pg');
my @codes;
my @clients = map { $t->client } 1 .. 16;
$_->ua->cookie_jar($u->ua->cookie_jar) for @clients;
for my $c (@clients, @clients[0 .. 3]) {
    $c->start(GET => '/me', undef, undef, sub { push @codes, $_[0]{status} });
}
Mojo::IOLoop->one_tick while @codes < 20;
is_deeply(\@codes, [ (200) x 20 ], 'every request after the restart is served') or diag "@codes";
$t->ok_status($u->get('/me'), 200, 'served after the database restart');

done_testing;
