# Labels: create, list (with its ETag), rename and recolour, delete; attach to and detach
# from cards (idempotent: no second activity row), through the body or ?labelId=;
# another board's label refused; cards carry labelIds in every answer; bad input stores
# nothing; 401, non-member 404, viewer 403.
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
my $other_board = $k->board($alice, $ws)->{id};
my $foreign_label = $alice->post("/boards/$other_board/labels", { encName => envelope(), colour => 'red' })->{json}{label}{id};
my $version = sub { $t->dbh->selectrow_array('SELECT version FROM boards WHERE id = ?', undef, $b) };
my $labels_of = sub { $count->('SELECT 1 FROM labels WHERE board_id = ?', $_[0]) };
my $activity = sub { $count->('SELECT 1 FROM activity WHERE board_id = ? AND verb = ?', $b, $_[0]) };

# --- create, list, change ----------------------------------------------------------------
my $name = envelope();
my $r = $alice->post("/boards/$b/labels", { encName => $name, colour => '#A0B1C2' });
$t->ok_status($r, 201, 'create label');
my $label = $r->{json}{label};
is($label->{encName}, $name, 'name stored unchanged');
is($label->{colour}, '#a0b1c2', 'colour in lower case');
is($label->{boardId}, $b, 'on the board');
my $red = $alice->post("/boards/$b/labels", { encName => envelope(), colour => 'red' })->{json}{label};
is($red->{colour}, 'red', 'a palette colour');
is($activity->('LABEL_CREATED'), 2, 'an activity row each');

$r = $alice->get("/boards/$b/labels");
$t->ok_status($r, 200, 'list labels');
is_deeply([ sort map { $_->{id} } @{ $r->{json}{labels} } ], [ sort $label->{id}, $red->{id} ], 'both labels, not the other board\'s');
my $etag = $r->{headers}{ETag};
ok($etag, 'the list has an ETag');
$t->ok_status($alice->get("/boards/$b/labels", undef, { 'If-None-Match' => $etag }), 304, 'unchanged list: 304');

my $before = $labels_of->($b);
for my $case (
    [{}, 'empty'], [{ encName => 'plain', colour => 'red' }, 'plaintext name'], [{ encName => envelope() }, 'no colour'],
    [{ colour => 'red' }, 'no name'], [{ encName => envelope(), colour => 'chartreuse' }, 'colour not in the palette'],
    [{ encName => envelope(), colour => '#12345' }, 'short hex colour'], [{ encName => envelope(), colour => '#12345g' }, 'not hex'],
    [{ encName => envelope(), colour => 7 }, 'colour not a string'], [{ id => 'BAD', encName => envelope(), colour => 'red' }, 'bad id'],
) {
    $t->error_is($alice->post("/boards/$b/labels", $case->[0]), 400, 'BAD_REQUEST', "create label: $case->[1]");
}
$t->error_is($alice->post("/boards/$b/labels", { id => $label->{id}, encName => envelope(), colour => 'red' }), 409, 'CONFLICT', 'create label: id taken');
is($labels_of->($b), $before, 'no label stored by bad input');

$r = $alice->patch("/labels/$label->{id}", { colour => 'blue' });
$t->ok_status($r, 200, 'recolour');
is($r->{json}{label}{colour}, 'blue', 'colour changed');
is($r->{json}{label}{encName}, $name, 'name kept');
$r = $alice->patch("/labels/$label->{id}", { encName => envelope() });
$t->ok_status($r, 200, 'rename');
$t->error_is($alice->patch("/labels/$label->{id}", {}), 400, 'BAD_REQUEST', 'patch: nothing to change');
$t->error_is($alice->patch("/labels/$label->{id}", { colour => 'nope' }), 400, 'BAD_REQUEST', 'patch: bad colour');
is($t->dbh->selectrow_array('SELECT colour FROM labels WHERE id = ?', undef, $label->{id}), 'blue', 'bad patch stored nothing');
$t->ok_status($alice->get("/boards/$b/labels", undef, { 'If-None-Match' => $etag }), 200, 'changed list: 200');

# --- attach and detach ---------------------------------------------------------------------
my $v0 = $version->();
$r = $alice->post("/cards/$card/labels", { labelId => $label->{id} });
$t->ok_status($r, 200, 'attach');
is_deeply($r->{json}{card}{labelIds}, [ $label->{id} ], 'the card carries the label');
ok($version->() > $v0, 'the board version moved');
my $v1 = $version->();
$t->ok_status($alice->post("/cards/$card/labels", { labelId => $label->{id} }), 200, 'attach again');
is($activity->('CARD_LABEL_ADDED'), 1, 'attaching twice writes one activity row');
is($version->(), $v1, 'and changes nothing');
$t->ok_status($alice->post("/cards/$card/labels", { labelId => $red->{id} }), 200, 'attach a second');
is_deeply($alice->get("/cards/$card")->{json}{card}{labelIds}, [ sort $label->{id}, $red->{id} ], 'single card: both, in id order');
my ($listed) = grep { $_->{id} eq $card } @{ $alice->get("/boards/$b/cards")->{json}{cards} };
is_deeply($listed->{labelIds}, [ sort $label->{id}, $red->{id} ], 'card list: both');

for my $case (
    [{}, 'no labelId'], [{ labelId => 'nope' }, 'malformed id'], [{ labelId => $foreign_label }, 'another board\'s label'],
    [{ labelId => 'cnosuchlabel000000000000' }, 'unknown label'], [{ labelId => 5 }, 'not a string'],
) {
    $t->error_is($alice->post("/cards/$card/labels", $case->[0]), 400, 'BAD_REQUEST', "attach: $case->[1]");
}
is($count->('SELECT 1 FROM card_labels WHERE card_id = ?', $card), 2, 'bad attaches stored nothing');

$r = $alice->delete("/cards/$card/labels", { labelId => $red->{id} });
$t->ok_status($r, 200, 'detach (body)');
is_deeply($r->{json}{card}{labelIds}, [ $label->{id} ], 'detached');
$t->ok_status($alice->delete("/cards/$card/labels?labelId=$red->{id}"), 200, 'detach what is not attached (query)');
is($activity->('CARD_LABEL_REMOVED'), 1, 'one activity row');
$t->error_is($alice->delete("/cards/$card/labels"), 400, 'BAD_REQUEST', 'detach: no labelId');
$t->error_is($alice->delete("/cards/$card/labels?labelId=$foreign_label"), 400, 'BAD_REQUEST', 'detach: another board\'s label');

# --- Idempotency-Key -------------------------------------------------------------------------
my $h = { 'Idempotency-Key' => 'lab-' . random_b64(8) };
my $body = { encName => envelope(), colour => 'green' };
my $first = $alice->post("/boards/$b/labels", $body, $h);
$t->ok_status($first, 201, 'create with a key');
my $again = $alice->post("/boards/$b/labels", $body, $h);
is($again->{json}{label}{id}, $first->{json}{label}{id}, 'retry: the same label');
is($again->{headers}{'Idempotent-Replayed'}, 'true', 'replayed');

# --- who may -------------------------------------------------------------------------------
$t->error_is($anon->get("/boards/$b/labels"), 401, 'UNAUTHORIZED', 'list: anonymous');
$t->error_is($anon->post("/cards/$card/labels", { labelId => $label->{id} }), 401, 'UNAUTHORIZED', 'attach: anonymous');
$t->error_is($bob->get("/boards/$b/labels"), 404, 'NOT_FOUND', 'list: non-member');
$t->error_is($bob->post("/boards/$b/labels", { encName => envelope(), colour => 'red' }), 404, 'NOT_FOUND', 'create: non-member');
$t->error_is($bob->patch("/labels/$label->{id}", { colour => 'red' }), 404, 'NOT_FOUND', 'patch: non-member');
$t->error_is($bob->delete("/labels/$label->{id}"), 404, 'NOT_FOUND', 'delete: non-member');
$t->error_is($bob->post("/cards/$card/labels", { labelId => $label->{id} }), 404, 'NOT_FOUND', 'attach: non-member');
$t->error_is($bob->delete("/cards/$card/labels", { labelId => $label->{id} }), 404, 'NOT_FOUND', 'detach: non-member');
$t->ok_status($vera->get("/boards/$b/labels"), 200, 'list: viewer');
$t->error_is($vera->post("/boards/$b/labels", { encName => envelope(), colour => 'red' }), 403, 'FORBIDDEN', 'create: viewer');
$t->error_is($vera->patch("/labels/$label->{id}", { colour => 'red' }), 403, 'FORBIDDEN', 'patch: viewer');
$t->error_is($vera->post("/cards/$card/labels", { labelId => $red->{id} }), 403, 'FORBIDDEN', 'attach: viewer');
$t->error_is($vera->delete("/cards/$card/labels", { labelId => $label->{id} }), 403, 'FORBIDDEN', 'detach: viewer');

# --- delete --------------------------------------------------------------------------------
$t->ok_status($alice->delete("/labels/$label->{id}"), 204, 'delete label');
is_deeply($alice->get("/cards/$card")->{json}{card}{labelIds}, [], 'detached from its cards');
$t->error_is($alice->delete("/labels/$label->{id}"), 404, 'NOT_FOUND', 'delete again');
$t->error_is($alice->patch("/labels/$label->{id}", { colour => 'red' }), 404, 'NOT_FOUND', 'patch a deleted label');
is($activity->('LABEL_DELETED'), 1, 'activity row for the deletion');

done_testing;
