# Automation claims: POST /automations/:id/claims {eventId}. Clients run automations, so
# every open browser of every member sees the triggering event; the first claim of
# (automation, event) gets 201 and runs the actions, every later one (another member, or
# the same user without the first request's Idempotency-Key) a 409. The event must be an
# activity row of the automation's board with the trigger's verb; bad input stores
# nothing; viewers 403, non-members 404, anonymous 401; the gc window is 30 days.
use strict;
use warnings;
use Test::More;
use POSIX ();
use MSKanban::Test;
use MSKanban::Kanban;

my $t = MSKanban::Test->new;
my $k = MSKanban::Kanban->new($t);
my ($alice, $bob, $carol, $vera, $mallory) = map { $t->user } 1 .. 5;
my $anon = $t->client;
my $dbh = $t->dbh;
my $ws = $k->workspace($alice)->{id};
$k->invite($alice, $ws, $bob, 'member');
$k->invite($alice, $ws, $carol, 'member');
$k->invite($alice, $ws, $vera, 'viewer');
my $b = $k->board($alice, $ws)->{id};
my ($c1, $c2) = map { $k->column($alice, $b)->{id} } 1 .. 2;
my $other = $k->board($alice, $ws)->{id};
my $oc1 = $k->column($alice, $other)->{id};
my $oc2 = $k->column($alice, $other)->{id};

my $auto = $alice->post("/boards/$b/automations", { trigger => 'card_moved', encBody => envelope() })->{json}{automation}{id};
my $event_of = sub {
    my ($board, $verb, $target) = @_;
    $dbh->selectrow_array('SELECT id FROM activity WHERE board_id = ? AND verb = ? AND target_id = ? ORDER BY seq DESC LIMIT 1',
        undef, $board, $verb, $target);
};
my $move = sub {
    my ($card, $to, $board) = @_;
    $t->ok_status($alice->patch("/cards/$card/move", { toColumnId => $to }), 200, 'move a card');
    return $event_of->($board, 'CARD_MOVED', $card);
};
my $card = $k->card($alice, $c1)->{id};
my $moved = $move->($card, $c2, $b);
ok($moved, 'the move is an activity row');
my $claims = sub { $t->count_rows('SELECT 1 FROM automation_claims WHERE automation_id = ?', $auto) };
my $key = sub { { 'Idempotency-Key' => "claim-$_[0]-" . MSKanban::Test::random_b64(8) } };

# --- the first claim wins; every later one is a 409 -------------------------------------
my $h = $key->('bob');
my $r = $bob->post("/automations/$auto/claims", { eventId => $moved }, $h);
$t->ok_status($r, 201, 'a member claims the event');
my $claim = $r->{json}{claim};
is($claim->{automationId}, $auto, 'automation');
is($claim->{eventId}, $moved, 'event');
is($claim->{claimedBy}, $bob->id, 'claimed by the caller');
ok($claim->{claimedAt}, 'with the time');
$t->error_is($carol->post("/automations/$auto/claims", { eventId => $moved }), 409, 'CONFLICT', 'another member: already claimed');
$t->error_is($alice->post("/automations/$auto/claims", { eventId => $moved }, $key->('alice')), 409, 'CONFLICT',
    'the owner too, with a key of her own');
$t->error_is($bob->post("/automations/$auto/claims", { eventId => $moved }), 409, 'CONFLICT',
    'the claimer again without the key (another of his browsers)');
$r = $bob->post("/automations/$auto/claims", { eventId => $moved }, $h);
$t->ok_status($r, 201, 'the claimer retrying with the same Idempotency-Key');
is($r->{headers}{'Idempotent-Replayed'}, 'true', 'gets the stored answer');
is_deeply($r->{json}{claim}, $claim, 'the same claim');
is($claims->(), 1, 'one claim stored');

# Another event of the same automation is a new claim.
my $moved2 = $move->($card, $c1, $b);
$t->ok_status($carol->post("/automations/$auto/claims", { eventId => $moved2 }), 201, 'the next event: a new claim');
is($claims->(), 2, 'two claims');

# --- concurrent claims by several members: exactly one wins -----------------------------
# Each member claims from a process of its own, all released at once.
my $race = $move->($card, $c2, $b);
my @racers = ($alice, $bob, $carol);
my @kids;
my $go = time + 1;
for my $who (@racers) {
    pipe(my $rd, my $wr) or die "pipe: $!";
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        close $rd;
        select(undef, undef, undef, 0.01) while time < $go;
        my $res = $who->post("/automations/$auto/claims", { eventId => $race });
        print $wr $res->{status};
        close $wr;
        POSIX::_exit(0);
    }
    close $wr;
    push @kids, [$pid, $rd];
}
my @statuses = map { my $s = readline $_->[1]; waitpid $_->[0], 0; $s // 'none' } @kids;
is(scalar(grep { $_ eq '201' } @statuses), 1, 'concurrent claims: one 201') or diag "@statuses";
is(scalar(grep { $_ eq '409' } @statuses), @racers - 1, 'the others 409');
is($t->count_rows('SELECT 1 FROM automation_claims WHERE event_id = ?', $race), 1, 'one claim row');

# --- bad input: 400, nothing stored -----------------------------------------------------
my $created = $event_of->($b, 'CARD_CREATED', $card);
ok($created, 'a CARD_CREATED event');
my $foreign = $move->($k->card($alice, $oc1)->{id}, $oc2, $other);
my $old = $move->($card, $c2, $b);
$dbh->do(q{UPDATE activity SET created_at = now() - interval '31 days' WHERE id = ?}, undef, $old);
my $before = $claims->();
for my $case (
    [{}, 'no eventId'], [{ eventId => 'Not An Id' }, 'malformed eventId'], [{ eventId => 42 }, 'eventId not a string'],
    [{ eventId => 'cnosuchevent0000' }, 'no such event'], [{ eventId => $foreign }, 'an event of another board'],
    [{ eventId => $created }, 'an event of another verb'], [{ eventId => $old }, 'an event older than the 30-day window'],
) {
    $t->error_is($bob->post("/automations/$auto/claims", $case->[0]), 400, 'BAD_REQUEST', "claim: $case->[1]");
}
$t->error_is($bob->request(POST => "/automations/$auto/claims", 'eventId=x', { 'Content-Type' => 'text/plain' }), 415,
    'UNSUPPORTED_MEDIA_TYPE', 'claim: not JSON');
is($claims->(), $before, 'refused claims stored nothing');

# --- who may claim ----------------------------------------------------------------------
my $moved3 = $move->($card, $c1, $b);
$t->error_is($vera->post("/automations/$auto/claims", { eventId => $moved3 }), 403, 'FORBIDDEN', 'a viewer cannot claim');
$t->error_is($mallory->post("/automations/$auto/claims", { eventId => $moved3 }), 404, 'NOT_FOUND', 'non-member: 404');
$t->error_is($anon->post("/automations/$auto/claims", { eventId => $moved3 }), 401, 'UNAUTHORIZED', 'no session: 401');
$t->error_is($bob->post('/automations/cnosuchauto0000/claims', { eventId => $moved3 }), 404, 'NOT_FOUND', 'no such automation');
is($claims->(), $before, 'and stored nothing');

# --- a disabled automation is a 409 (the rule is off: nobody acts) -----------------------
$t->ok_status($alice->patch("/automations/$auto", { enabled => \0 }), 200, 'disable');
$t->error_is($bob->post("/automations/$auto/claims", { eventId => $moved3 }), 409, 'CONFLICT', 'a disabled automation cannot be claimed');
$t->ok_status($alice->patch("/automations/$auto", { enabled => \1 }), 200, 'enable again');
$t->ok_status($bob->post("/automations/$auto/claims", { eventId => $moved3 }), 201, 'then it can');

# --- claims go with their automation; the gc removes old ones ----------------------------
$dbh->do(q{UPDATE automation_claims SET created_at = now() - interval '31 days' WHERE event_id = ?}, undef, $moved);
my $gc = $t->count_rows(q{SELECT 1 FROM automation_claims WHERE created_at < now() - interval '30 days'});
ok($gc >= 1, 'an old claim');
my $ctl = quotemeta($t->env('MSKANBAN_BUILD') . '/mskanbanctl');
my $conf = quotemeta($t->env('MSKANBAN_CONFIG'));
my $out = `$ctl -c $conf gc 2>&1`;
is($? >> 8, 0, 'mskanbanctl gc') or diag $out;
like($out, qr/deleted [1-9]\d* old automation claims/, 'reports the old claims it deleted');
is($t->count_rows('SELECT 1 FROM automation_claims WHERE event_id = ?', $moved), 0, 'the old claim is gone');
is($claims->(), 3, 'the recent ones stay');
$t->ok_status($alice->delete("/automations/$auto"), 204, 'delete the automation');
is($claims->(), 0, 'its claims are gone with it');

done_testing;
