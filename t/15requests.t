# Request rules for every mutation: JSON content type, allowed Origin, body limits.
use strict;
use warnings;
use Test::More;
use MSKanban::Test;
use MSKanban::Kanban;

my $t = MSKanban::Test->new;
my $u = $t->user;
my $origin = $t->url;
my $k = MSKanban::Kanban->new($t);
my $board = $k->board($u, $k->workspace($u)->{id})->{id};

my $r = $u->post('/auth/ws-ticket', '{"room":"board:cabc"}', { 'Content-Type' => 'text/plain' });
$t->error_is($r, 415, 'UNSUPPORTED_MEDIA_TYPE', 'text/plain mutation');
$r = $u->post('/auth/ws-ticket', 'room=board:cabc', { 'Content-Type' => 'application/x-www-form-urlencoded' });
$t->error_is($r, 415, 'UNSUPPORTED_MEDIA_TYPE', 'form-encoded mutation');
$r = $u->request(POST => '/auth/logout', '', { 'Content-Type' => '' });
is($r->{status}, 415, 'mutation without a content type');
is($u->get('/me')->{status}, 200, 'the session survived the refused logout');

$r = $u->post('/auth/ws-ticket', { room => 'board:cabc' }, { Origin => 'https://evil.example' });
$t->error_is($r, 403, 'FORBIDDEN', 'foreign Origin');
$r = $u->post('/auth/ws-ticket', { room => 'board:cabc' }, { Origin => 'null' });
$t->error_is($r, 403, 'FORBIDDEN', 'null Origin');
# Allowed requests really succeed (a ticket for the user's own board), not merely avoid
# one refusal.
$r = $u->post('/auth/ws-ticket', { room => "board:$board" }, { Origin => $origin });
$t->ok_status($r, 201, 'the configured origin is allowed');
ok($r->{json}{ticket}, 'the configured origin: a ticket');
$r = $u->post('/auth/ws-ticket', { room => "board:$board" }, { 'Content-Type' => 'application/json; charset=utf-8' });
$t->ok_status($r, 201, 'a charset parameter is fine');
$r = $u->post('/auth/ws-ticket', { room => "board:$board" }, { Origin => 'https://evil.example' });
$t->error_is($r, 403, 'FORBIDDEN', 'the same request from a foreign Origin');
is($u->get('/me', undef, { Origin => 'https://evil.example' })->{status}, 200, 'reads do not check Origin');

# Body limits: the worker's 1 MiB limit answers with the JSON error shape, and so does
# nginx's own limit above it.
my $big = '{"email":"' . ('a' x (1024 * 1024 + 10)) . '"}';
$r = $t->client->post('/auth/login-init', $big, { 'Content-Type' => 'application/json' });
$t->error_is($r, 413, 'PAYLOAD_TOO_LARGE', 'body above max_body_bytes');
$r = $t->client->post('/auth/login-init', 'x' x (3 * 1024 * 1024), { 'Content-Type' => 'application/json' });
is($r->{status}, 413, 'body above the nginx limit');
is($r->{json}{error}{code}, 'PAYLOAD_TOO_LARGE', 'nginx 413 keeps the JSON shape');

# Type errors name the field.
$r = $t->client->post('/auth/login', { email => [], authHash => random_b64(32) });
$t->error_is($r, 400, 'BAD_REQUEST', 'email as an array');
like($r->{json}{error}{message}, qr/email/, 'the message names the field');

# The workers keep serving after all of that.
is($t->client->get('/health')->{status}, 200, 'still healthy');

done_testing;
