# Assignments: assign and unassign workspace members (idempotent: no second activity
# row); a non-member (or no such user) is a 400 that stores nothing; viewers may be
# assigned but not assign (403); cards carry assigneeIds in every answer; removing a
# member removes their assignments in that workspace only; 401 and non-member 404.
use strict;
use warnings;
use Test::More;
use MSKanban::Test;
use MSKanban::Kanban;

my $t = MSKanban::Test->new;
my $k = MSKanban::Kanban->new($t);
my ($alice, $bob, $vera, $olga) = ($t->user, $t->user, $t->user, $t->user);
my $anon = $t->client;
my $count = sub { $t->count_rows(@_) };
my $ws = $k->workspace($alice)->{id};
$k->invite($alice, $ws, $vera, 'viewer');
$k->invite($alice, $ws, $olga, 'member');
my $b = $k->board($alice, $ws)->{id};
my $col = $k->column($alice, $b)->{id};
my $card = $k->card($alice, $col)->{id};
# Olga is also a member of another workspace of Alice's, with an assignment there.
my $ws2 = $k->workspace($alice)->{id};
$k->invite($alice, $ws2, $olga, 'member');
my $card2 = $k->card($alice, $k->column($alice, $k->board($alice, $ws2)->{id})->{id})->{id};
$t->ok_status($alice->post("/cards/$card2/assignments", { userId => $olga->id }), 200, 'assign in the other workspace');
my $assigned = sub { $count->('SELECT 1 FROM card_assignees WHERE card_id = ?', $_[0]) };
my $activity = sub { $count->('SELECT 1 FROM activity WHERE board_id = ? AND verb = ?', $b, $_[0]) };
my $version = sub { $t->dbh->selectrow_array('SELECT version FROM boards WHERE id = ?', undef, $b) };

# --- assign ------------------------------------------------------------------------------------
my $v0 = $version->();
my $r = $alice->post("/cards/$card/assignments", { userId => $olga->id });
$t->ok_status($r, 200, 'assign a member');
is_deeply($r->{json}{card}{assigneeIds}, [ $olga->id ], 'the card names the assignee');
ok($version->() > $v0, 'the board version moved');
my $v1 = $version->();
$t->ok_status($alice->post("/cards/$card/assignments", { userId => $olga->id }), 200, 'assign again');
is($activity->('CARD_ASSIGNED'), 1, 'assigning twice writes one activity row');
is($version->(), $v1, 'and changes nothing');
$t->ok_status($olga->post("/cards/$card/assignments", { userId => $vera->id }), 200, 'a member assigns a viewer');
$t->ok_status($alice->post("/cards/$card/assignments", { userId => $alice->id }), 200, 'assign oneself');
my @all = sort ($olga->id, $vera->id, $alice->id);
is_deeply($alice->get("/cards/$card")->{json}{card}{assigneeIds}, \@all, 'single card: all three, in id order');
my ($listed) = grep { $_->{id} eq $card } @{ $alice->get("/boards/$b/cards")->{json}{cards} };
is_deeply($listed->{assigneeIds}, \@all, 'card list: all three');

for my $case (
    [{}, 'no userId'], [{ userId => 'nope' }, 'malformed id'], [{ userId => $bob->id }, 'a user who is not a member'],
    [{ userId => 'cnosuchuser0000000000000' }, 'no such user'], [{ userId => 5 }, 'not a string'],
) {
    $t->error_is($alice->post("/cards/$card/assignments", $case->[0]), 400, 'BAD_REQUEST', "assign: $case->[1]");
}
my ($e1, $e2) = map { $alice->post("/cards/$card/assignments", { userId => $_ })->{json}{error}{message} } $bob->id, 'cnosuchuser0000000000000';
is($e1, $e2, 'a non-member and no such user get the same answer');
is($assigned->($card), 3, 'bad assignments stored nothing');

# --- unassign ----------------------------------------------------------------------------------
$r = $alice->delete("/cards/$card/assignments/" . $alice->id);
$t->ok_status($r, 200, 'unassign');
is_deeply($r->{json}{card}{assigneeIds}, [ sort $olga->id, $vera->id ], 'unassigned');
$t->ok_status($alice->delete("/cards/$card/assignments/" . $alice->id), 200, 'unassign who is not assigned');
is($activity->('CARD_UNASSIGNED'), 1, 'one activity row');
$t->error_is($alice->delete("/cards/$card/assignments/nope"), 400, 'BAD_REQUEST', 'unassign: malformed id');
$t->error_is($alice->delete("/cards/$card/assignments/" . $bob->id), 400, 'BAD_REQUEST', 'unassign: not a member');

# --- who may ---------------------------------------------------------------------------------
$t->error_is($anon->post("/cards/$card/assignments", { userId => $olga->id }), 401, 'UNAUTHORIZED', 'assign: anonymous');
$t->error_is($anon->delete("/cards/$card/assignments/" . $olga->id), 401, 'UNAUTHORIZED', 'unassign: anonymous');
$t->error_is($bob->post("/cards/$card/assignments", { userId => $bob->id }), 404, 'NOT_FOUND', 'assign: non-member');
$t->error_is($bob->delete("/cards/$card/assignments/" . $olga->id), 404, 'NOT_FOUND', 'unassign: non-member');
$t->error_is($vera->post("/cards/$card/assignments", { userId => $vera->id }), 403, 'FORBIDDEN', 'assign: viewer');
$t->error_is($vera->delete("/cards/$card/assignments/" . $vera->id), 403, 'FORBIDDEN', 'unassign: viewer');
is($assigned->($card), 2, 'refused requests changed nothing');

# --- Idempotency-Key ---------------------------------------------------------------------------
my $h = { 'Idempotency-Key' => 'asg-' . random_b64(8) };
my $first = $alice->post("/cards/$card/assignments", { userId => $alice->id }, $h);
$t->ok_status($first, 200, 'assign with a key');
my $again = $alice->post("/cards/$card/assignments", { userId => $alice->id }, $h);
is($again->{headers}{'Idempotent-Replayed'}, 'true', 'retry replayed');

# --- removing a member removes their assignments there -----------------------------------------
$t->ok_status($alice->delete("/workspaces/$ws/members/" . $olga->id), 204, 'remove Olga');
is_deeply($alice->get("/cards/$card")->{json}{card}{assigneeIds}, [ sort $alice->id, $vera->id ], 'her assignment is gone');
is($assigned->($card2), 1, 'her assignment in the other workspace stays');
$t->error_is($alice->post("/cards/$card/assignments", { userId => $olga->id }), 400, 'BAD_REQUEST', 'a former member cannot be assigned');

done_testing;
