# Idempotency-Key (issues 16 and 18): honoured on every mutating method, stored in the
# request's own transaction, never for responses that carry a secret or whose replay has
# no meaning, deleted with the board or workspace the request changed; errors are not
# stored; a lock wait past lock_timeout answers 503 with the error shape.
use strict;
use warnings;
use Test::More;
use MSKanban::Test;
use MSKanban::Kanban;

my $t = MSKanban::Test->new;
my $k = MSKanban::Kanban->new($t);
my $alice = $t->user;
my $count = sub { $t->count_rows(@_) };
my $stored = sub { $count->('SELECT 1 FROM idempotency_keys WHERE user_id = $1 AND key = $2', $alice->id, $_[0]) };
my $key = sub { { 'Idempotency-Key' => "$_[0]-" . MSKanban::Test::random_b64(8) } };
my $ws = $k->workspace($alice)->{id};
my $b = $k->board($alice, $ws)->{id};
my $c1 = $k->column($alice, $b)->{id};
my $c2 = $k->column($alice, $b)->{id};
my $card = $k->card($alice, $c1);
my $moves = sub { $count->(q{SELECT 1 FROM activity WHERE board_id = $1 AND verb = 'CARD_MOVED'}, $b) };

# --- PATCH, DELETE: replayed, acted on once -----------------------------------------------
my $h = $key->('move');
my $m1 = $alice->patch("/cards/$card->{id}/move", { toColumnId => $c2 }, $h);
$t->ok_status($m1, 200, 'a move with a key');
my $m2 = $alice->patch("/cards/$card->{id}/move", { toColumnId => $c2 }, $h);
$t->ok_status($m2, 200, 'the retried move');
is($m2->{headers}{'Idempotent-Replayed'}, 'true', 'is a replay');
is($m2->{body}, $m1->{body}, 'of the same answer');
is($moves->(), 1, 'the card moved once (one activity row)');

my $gone = $k->card($alice, $c1);
$h = $key->('delete');
$t->ok_status($alice->delete("/cards/$gone->{id}", undef, $h), 204, 'a delete with a key');
my $d2 = $alice->delete("/cards/$gone->{id}", undef, $h);
is($d2->{status}, 204, 'the retried delete answers the first answer, not 404');
is($d2->{headers}{'Idempotent-Replayed'}, 'true', 'as a replay');

# --- errors are not stored --------------------------------------------------------------------
$h = $key->('bad');
$t->error_is($alice->patch("/cards/$card->{id}/move", { toColumnId => 'cnosuchcolumn0000000000' }, $h), 400,
    'BAD_REQUEST', 'a failing move with a key');
is($stored->($h->{'Idempotency-Key'}), 0, 'no record for an error');
is($moves->(), 1, 'and no move');

# --- never stored: secrets and meaningless replays (issue 18) ----------------------------
$h = $key->('enroll');
my $e = $alice->post('/auth/2fa/enroll', undef, $h);
$t->ok_status($e, 200, '2FA enrolment with a key') or diag $e->{body};
is($stored->($h->{'Idempotency-Key'}), 0, 'its response (the TOTP secret) is not stored');
my $secret = $e->{json}{secret} // 'none';
is($count->('SELECT 1 FROM idempotency_keys WHERE response_body LIKE $1', "%$secret%"), 0, 'the secret is nowhere in stored responses');

$h = $key->('ticket');
my $tk = $alice->post('/auth/ws-ticket', { room => "board:$b" }, $h);
$t->ok_status($tk, 201, 'a WebSocket ticket with a key');
is($stored->($h->{'Idempotency-Key'}), 0, 'its response (the ticket) is not stored');
my $tk2 = $alice->post('/auth/ws-ticket', { room => "board:$b" }, $h);
isnt($tk2->{json}{ticket}, $tk->{json}{ticket}, 'the same key gets a fresh ticket');

$h = $key->('logout');
my $bob = $t->user;
$t->ok_status($bob->post('/auth/logout', undef, $h), 204, 'logout with a key');
$bob->login($bob->{email}, $bob->{authHash});
$t->ok_status($bob->get('/me'), 200, 'signed in again');
$t->ok_status($bob->post('/auth/logout', undef, $h), 204, 'logout again with the reused key');
$t->error_is($bob->get('/me'), 401, 'UNAUTHORIZED', 'ended the new session (not a replay)');

# --- records go with their board and workspace ----------------------------------------------
my $ws2 = $k->workspace($alice)->{id};
my $b2 = $k->board($alice, $ws2)->{id};
my $hb = $key->('col');
$t->ok_status($alice->post("/boards/$b2/columns", { encName => MSKanban::Test::envelope() }, $hb), 201, 'a column with a key');
my $hw = $key->('board');
$t->ok_status($alice->post("/workspaces/$ws2/boards",
    { encName => MSKanban::Test::envelope(), encBoardKey => MSKanban::Test::envelope(48) }, $hw), 201, 'a board with a key');
is($count->('SELECT 1 FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND board_id = $3', $alice->id,
    $hb->{'Idempotency-Key'}, $b2), 1, 'the column record is filed under its board');
$t->ok_status($alice->delete("/boards/$b2"), 204, 'delete the board');
is($stored->($hb->{'Idempotency-Key'}), 0, 'its records are gone');
is($stored->($hw->{'Idempotency-Key'}), 1, 'the workspace-level record stays');
$t->ok_status($alice->delete("/workspaces/$ws2"), 204, 'delete the workspace');
is($stored->($hw->{'Idempotency-Key'}), 0, 'its records are gone too');

# --- a stuck lock answers 503, not a held worker ---------------------------------------------
my $dbh = $t->dbh;
$dbh->begin_work;
$dbh->do('SELECT 1 FROM boards WHERE id = ? FOR UPDATE', undef, $b);
my $started = time;
my $stuck = $alice->patch("/cards/$card->{id}/move", { toColumnId => $c1 });
$dbh->rollback;
$t->error_is($stuck, 503, 'UNAVAILABLE', 'a move behind a held board lock');
ok(time - $started < 15, 'answered within lock_timeout');
ok($stuck->{headers}{'Retry-After'}, 'with Retry-After');
$t->ok_status($alice->patch("/cards/$card->{id}/move", { toColumnId => $c1 }), 200, 'the lock released, moves work');

done_testing;
