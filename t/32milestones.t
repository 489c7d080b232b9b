# Milestones: create, list (archived left out unless ?archived=1; an ETag), rename,
# re-date, archive, delete; PUT /cards/:id/milestone sets and clears a card's milestone
# (idempotent: no second activity row); another board's milestone refused; cards carry
# milestoneId in every answer; deleting a milestone clears it from its cards; bad input
# stores nothing; 401, non-member 404, viewer 403; Idempotency-Key.
use strict;
use warnings;
use Test::More;
use MSKanban::Test;
use MSKanban::Kanban;

my $t = MSKanban::Test->new;
my $k = MSKanban::Kanban->new($t);
my ($alice, $bob, $vera) = ($t->user, $t->user, $t->user);
my $anon = $t->client;
my $count = sub { $t->count_rows(@_) };
my $ws = $k->workspace($alice)->{id};
$k->invite($alice, $ws, $vera, 'viewer');
my $b = $k->board($alice, $ws)->{id};
my $col = $k->column($alice, $b)->{id};
my $card = $k->card($alice, $col)->{id};
my $card2 = $k->card($alice, $col)->{id};
my $other_board = $k->board($alice, $ws)->{id};
my $foreign = $alice->post("/boards/$other_board/milestones", { encName => envelope() })->{json}{milestone}{id};
my $version = sub { $t->dbh->selectrow_array('SELECT version FROM boards WHERE id = ?', undef, $b) };
my $stored = sub { $count->('SELECT 1 FROM milestones WHERE board_id = ?', $b) };
my $activity = sub { $count->('SELECT 1 FROM activity WHERE board_id = ? AND verb = ?', $b, $_[0]) };
my $milestone_of = sub { $t->dbh->selectrow_array('SELECT milestone_id FROM cards WHERE id = ?', undef, $_[0]) };

# --- create, list, change ----------------------------------------------------------------
my $name = envelope();
my $r = $alice->post("/boards/$b/milestones", { encName => $name, dueAt => '2026-12-01T10:00:00.000Z' });
$t->ok_status($r, 201, 'create milestone');
my $m1 = $r->{json}{milestone};
is($m1->{encName}, $name, 'name stored unchanged');
is($m1->{dueAt}, '2026-12-01T10:00:00.000Z', 'due date');
ok(!$m1->{archived}, 'not archived');
is($m1->{boardId}, $b, 'on the board');
my $m2 = $alice->post("/boards/$b/milestones", { encName => envelope() })->{json}{milestone};
is($m2->{dueAt}, undef, 'no due date');
is($activity->('MILESTONE_CREATED'), 2, 'an activity row each');

$r = $alice->get("/boards/$b/milestones");
$t->ok_status($r, 200, 'list milestones');
is_deeply([ map { $_->{id} } @{ $r->{json}{milestones} } ], [ $m1->{id}, $m2->{id} ], 'dated first, not the other board\'s');
my $etag = $r->{headers}{ETag};
ok($etag, 'the list has an ETag');
$t->ok_status($alice->get("/boards/$b/milestones", undef, { 'If-None-Match' => $etag }), 304, 'unchanged list: 304');
$t->error_is($alice->get("/boards/$b/milestones?archived=maybe"), 400, 'BAD_REQUEST', 'list: bad ?archived');

my $before = $stored->();
for my $case (
    [{}, 'empty'], [{ encName => 'plain' }, 'plaintext name'], [{ dueAt => undef }, 'no name'],
    [{ encName => envelope(), dueAt => 'tomorrow' }, 'bad due date'], [{ encName => envelope(), dueAt => 5 }, 'due date not a string'],
    [{ id => 'BAD', encName => envelope() }, 'bad id'],
) {
    $t->error_is($alice->post("/boards/$b/milestones", $case->[0]), 400, 'BAD_REQUEST', "create milestone: $case->[1]");
}
$t->error_is($alice->post("/boards/$b/milestones", { id => $m1->{id}, encName => envelope() }), 409, 'CONFLICT', 'create milestone: id taken');
is($stored->(), $before, 'no milestone stored by bad input');

$r = $alice->patch("/milestones/$m1->{id}", { dueAt => undef });
$t->ok_status($r, 200, 'clear the due date');
is($r->{json}{milestone}{dueAt}, undef, 'cleared');
is($r->{json}{milestone}{encName}, $name, 'name kept');
$r = $alice->patch("/milestones/$m1->{id}", { encName => envelope(), dueAt => '2027-01-02T03:04:05.678Z' });
$t->ok_status($r, 200, 'rename and re-date');
is($r->{json}{milestone}{dueAt}, '2027-01-02T03:04:05.678Z', 'new due date');
$t->error_is($alice->patch("/milestones/$m1->{id}", {}), 400, 'BAD_REQUEST', 'patch: nothing to change');
$t->error_is($alice->patch("/milestones/$m1->{id}", { archived => 'yes' }), 400, 'BAD_REQUEST', 'patch: archived not a boolean');
$t->error_is($alice->patch("/milestones/$m1->{id}", { encName => 'plain' }), 400, 'BAD_REQUEST', 'patch: plaintext name');
$t->error_is($alice->patch("/milestones/$m1->{id}", { dueAt => 'soon' }), 400, 'BAD_REQUEST', 'patch: bad due date');
is($t->dbh->selectrow_array(q{SELECT msk_iso(due_at) FROM milestones WHERE id = ?}, undef, $m1->{id}),
    '2027-01-02T03:04:05.678Z', 'bad patches stored nothing');
is($activity->('MILESTONE_UPDATED'), 2, 'an activity row per change');
my ($meta) = $t->dbh->selectrow_array(q{SELECT metadata::text FROM activity WHERE board_id = ? AND verb = 'MILESTONE_UPDATED' ORDER BY seq DESC LIMIT 1}, undef, $b);
like($meta, qr/"renamed": true/, 'the feed says it was renamed');
unlike($meta, qr/v1\./, '... and carries no ciphertext');

$t->ok_status($alice->patch("/milestones/$m2->{id}", { archived => Mojo::JSON->true }), 200, 'archive');
is_deeply([ map { $_->{id} } @{ $alice->get("/boards/$b/milestones")->{json}{milestones} } ], [ $m1->{id} ], 'archived left out');
is_deeply([ map { $_->{id} } @{ $alice->get("/boards/$b/milestones?archived=1")->{json}{milestones} } ],
    [ $m1->{id}, $m2->{id} ], '?archived=1 includes it');
$t->ok_status($alice->get("/boards/$b/milestones", undef, { 'If-None-Match' => $etag }), 200, 'changed list: 200');

# --- a card's milestone ----------------------------------------------------------------------
my $v0 = $version->();
$r = $alice->put("/cards/$card/milestone", { milestoneId => $m1->{id} });
$t->ok_status($r, 200, 'set the milestone');
is($r->{json}{card}{milestoneId}, $m1->{id}, 'the card carries it');
ok($version->() > $v0, 'the board version moved');
my $v1 = $version->();
$t->ok_status($alice->put("/cards/$card/milestone", { milestoneId => $m1->{id} }), 200, 'set it again');
is($activity->('CARD_MILESTONE_SET'), 1, 'setting twice writes one activity row');
is($version->(), $v1, 'and changes nothing');
$t->ok_status($alice->put("/cards/$card2/milestone", { milestoneId => $m2->{id} }), 200, 'an archived milestone may be set');
is($alice->get("/cards/$card")->{json}{card}{milestoneId}, $m1->{id}, 'single card: milestoneId');
my %listed = map { $_->{id} => $_->{milestoneId} } @{ $alice->get("/boards/$b/cards")->{json}{cards} };
is_deeply([ @listed{ $card, $card2 } ], [ $m1->{id}, $m2->{id} ], 'card list: milestoneId');

for my $case (
    [{}, 'no milestoneId'], [{ milestoneId => 'nope' }, 'malformed id'], [{ milestoneId => $foreign }, 'another board\'s milestone'],
    [{ milestoneId => 'cnosuchmilestone00000000' }, 'unknown milestone'], [{ milestoneId => 5 }, 'not a string'],
) {
    $t->error_is($alice->put("/cards/$card/milestone", $case->[0]), 400, 'BAD_REQUEST', "set: $case->[1]");
}
my ($e1, $e2) = map { $alice->put("/cards/$card/milestone", { milestoneId => $_ })->{json}{error}{message} } $foreign, 'cnosuchmilestone00000000';
is($e1, $e2, 'another board\'s milestone and none get the same answer');
is($milestone_of->($card), $m1->{id}, 'bad requests changed nothing');

$r = $alice->put("/cards/$card2/milestone", { milestoneId => undef });
$t->ok_status($r, 200, 'clear the milestone');
is($r->{json}{card}{milestoneId}, undef, 'cleared');
$t->ok_status($alice->put("/cards/$card2/milestone", { milestoneId => undef }), 200, 'clear again');
is($activity->('CARD_MILESTONE_CLEARED'), 1, 'one activity row');

# --- Idempotency-Key -------------------------------------------------------------------------
my $h = { 'Idempotency-Key' => 'mil-' . random_b64(8) };
my $body = { encName => envelope() };
my $first = $alice->post("/boards/$b/milestones", $body, $h);
$t->ok_status($first, 201, 'create with a key');
my $again = $alice->post("/boards/$b/milestones", $body, $h);
is($again->{json}{milestone}{id}, $first->{json}{milestone}{id}, 'retry: the same milestone');
is($again->{headers}{'Idempotent-Replayed'}, 'true', 'replayed');
is($activity->('MILESTONE_CREATED'), 3, 'one activity row for both');

# --- who may -------------------------------------------------------------------------------
$t->error_is($anon->get("/boards/$b/milestones"), 401, 'UNAUTHORIZED', 'list: anonymous');
$t->error_is($anon->post("/boards/$b/milestones", { encName => envelope() }), 401, 'UNAUTHORIZED', 'create: anonymous');
$t->error_is($anon->patch("/milestones/$m1->{id}", { archived => Mojo::JSON->true }), 401, 'UNAUTHORIZED', 'patch: anonymous');
$t->error_is($anon->delete("/milestones/$m1->{id}"), 401, 'UNAUTHORIZED', 'delete: anonymous');
$t->error_is($anon->put("/cards/$card/milestone", { milestoneId => undef }), 401, 'UNAUTHORIZED', 'set: anonymous');
$t->error_is($bob->get("/boards/$b/milestones"), 404, 'NOT_FOUND', 'list: non-member');
$t->error_is($bob->post("/boards/$b/milestones", { encName => envelope() }), 404, 'NOT_FOUND', 'create: non-member');
$t->error_is($bob->patch("/milestones/$m1->{id}", { archived => Mojo::JSON->true }), 404, 'NOT_FOUND', 'patch: non-member');
$t->error_is($bob->delete("/milestones/$m1->{id}"), 404, 'NOT_FOUND', 'delete: non-member');
$t->error_is($bob->put("/cards/$card/milestone", { milestoneId => undef }), 404, 'NOT_FOUND', 'set: non-member');
$t->ok_status($vera->get("/boards/$b/milestones"), 200, 'list: viewer');
$t->error_is($vera->post("/boards/$b/milestones", { encName => envelope() }), 403, 'FORBIDDEN', 'create: viewer');
$t->error_is($vera->patch("/milestones/$m1->{id}", { archived => Mojo::JSON->true }), 403, 'FORBIDDEN', 'patch: viewer');
$t->error_is($vera->delete("/milestones/$m1->{id}"), 403, 'FORBIDDEN', 'delete: viewer');
$t->error_is($vera->put("/cards/$card/milestone", { milestoneId => undef }), 403, 'FORBIDDEN', 'set: viewer');
is($milestone_of->($card), $m1->{id}, 'refused requests changed nothing');
ok(!$t->dbh->selectrow_array('SELECT archived FROM milestones WHERE id = ?', undef, $m1->{id}), 'nor the milestone');

# --- the schema holds the board rule too -----------------------------------------------------
ok(!eval { $t->dbh->do('UPDATE cards SET milestone_id = ? WHERE id = ?', undef, $foreign, $card); 1 },
    'straight SQL cannot give a card another board\'s milestone');
like($@, qr/cards_milestone/, '... refused by cards_milestone');

# --- delete ---------------------------------------------------------------------------------
$t->ok_status($alice->delete("/milestones/$m1->{id}"), 204, 'delete milestone');
is($alice->get("/cards/$card")->{json}{card}{milestoneId}, undef, 'cleared from its cards');
$t->error_is($alice->delete("/milestones/$m1->{id}"), 404, 'NOT_FOUND', 'delete again');
$t->error_is($alice->patch("/milestones/$m1->{id}", { archived => Mojo::JSON->true }), 404, 'NOT_FOUND', 'patch a deleted milestone');
$t->error_is($alice->put("/cards/$card/milestone", { milestoneId => $m1->{id} }), 400, 'BAD_REQUEST', 'set a deleted milestone');
is($activity->('MILESTONE_DELETED'), 1, 'activity row for the deletion');

# Deleting a board whose cards carry its milestones deletes both.
$t->ok_status($alice->put("/cards/$card2/milestone", { milestoneId => $m2->{id} }), 200, 'set again before deleting the board');
$t->ok_status($alice->delete("/boards/$b"), 204, 'delete the board');
is($count->('SELECT 1 FROM milestones WHERE board_id = ?', $b), 0, 'its milestones are gone');

done_testing;
