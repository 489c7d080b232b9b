# POST /auth/ws-ticket input handling (rooms themselves are covered with the kanban API).
use strict;
use warnings;
use Test::More;
use MSKanban::Test;

my $t = MSKanban::Test->new;
my $u = $t->user;

$t->error_is($t->client->post('/auth/ws-ticket', { room => 'board:cabc' }), 401, 'UNAUTHORIZED', 'no session');
for my $room ('nope', 'board:', 'board:ABC', 'column:cabc', 'board:cabc/../x', 'card:c' . ('a' x 70)) {
    $t->error_is($u->post('/auth/ws-ticket', { room => $room }), 400, 'BAD_REQUEST', "room '$room'");
}
$t->error_is($u->post('/auth/ws-ticket', {}), 400, 'BAD_REQUEST', 'no room');
$t->error_is($u->post('/auth/ws-ticket', { room => 7 }), 400, 'BAD_REQUEST', 'room not a string');
$t->error_is($u->post('/auth/ws-ticket', { room => 'board:cnosuchboard000000000000' }), 404, 'NOT_FOUND', 'missing board');
$t->error_is($u->post('/auth/ws-ticket', { room => 'card:cnosuchcard0000000000000' }), 404, 'NOT_FOUND', 'missing card');

# The internal redeem route is not reachable from outside.
is($t->client->get('/internal/ws-redeem?t=x', undef, undef, { undocumented => 1 })->{status}, 404, 'internal routes are hidden');
is($u->get('/internal/authz/board/cabc', undef, undef, { undocumented => 1 })->{status}, 404, 'internal authz is hidden');

done_testing;
