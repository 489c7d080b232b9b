# GET /me/sessions and DELETE /me/sessions/:id.
use strict;
use warnings;
use Test::More;
use MSKanban::Test;

my $t = MSKanban::Test->new;
my $a1 = $t->user;
my $a2 = $t->client;
$a2->login($a1->email, $a1->{authHash});
my $bob = $t->user;

my $r = $a1->get('/me/sessions');
$t->ok_status($r, 200, 'list sessions');
is(scalar @{ $r->{json}{sessions} }, 2, 'two sessions');
my ($current) = grep { $_->{current} } @{ $r->{json}{sessions} };
is($current->{id}, $a1->{session_id}, 'the current session is marked');

$t->error_is($t->client->get('/me/sessions'), 401, 'UNAUTHORIZED', 'list without a session');
$t->error_is($t->client->delete("/me/sessions/$a2->{session_id}"), 401, 'UNAUTHORIZED', 'revoke without a session');

# Another user's session: the same 404 as a missing one, and it stays valid.
$t->error_is($bob->delete("/me/sessions/$a2->{session_id}"), 404, 'NOT_FOUND', "revoke someone else's session");
is($a2->get('/me')->{status}, 200, 'the other session still works');
$t->error_is($a1->delete('/me/sessions/cnosuchsession0000000000'), 404, 'NOT_FOUND', 'revoke a missing session');
$t->error_is($a1->delete('/me/sessions/NOT-AN-ID'), 404, 'NOT_FOUND', 'revoke a malformed id');

$r = $a1->delete("/me/sessions/$a2->{session_id}");
$t->ok_status($r, 204, 'revoke my other session');
$t->error_is($a2->get('/me'), 401, 'UNAUTHORIZED', 'revoked session is refused');
is(scalar @{ $a1->get('/me/sessions')->{json}{sessions} }, 1, 'one session left');
$t->error_is($a1->delete("/me/sessions/$a2->{session_id}"), 404, 'NOT_FOUND', 'revoking twice');

done_testing;
