# Cards: create, list (archived excluded unless asked), read, change, archive, delete;
# moves with neighbours (adjacent, other column, other board); Idempotency-Key on POST;
# bad input stores nothing; 401 and 404.
use strict;
use warnings;
use Test::More;
use MSKanban::Test;
use MSKanban::Kanban;

my $t = MSKanban::Test->new;
my $k = MSKanban::Kanban->new($t);
my ($alice, $bob) = ($t->user, $t->user);
my $anon = $t->client;
my $count = sub { $t->count_rows(@_) };
my $ws = $k->workspace($alice)->{id};
my $b = $k->board($alice, $ws)->{id};
my ($c1, $c2) = map { $k->column($alice, $b)->{id} } 1 .. 2;
my $foreign_board = $k->board($alice, $ws)->{id};
my $foreign_col = $k->column($alice, $foreign_board)->{id};
my $foreign_card = $k->card($alice, $foreign_col)->{id};

# --- create and read ---------------------------------------------------------------------
my $title = envelope();
my $r = $alice->post("/columns/$c1/cards", { encTitle => $title, encDescription => envelope(2000), dueAt => '2026-05-25T12:34:56.789Z', startAt => '2026-05-20T08:00:00Z' });
$t->ok_status($r, 201, 'create card');
my $card = $r->{json}{card};
is($card->{encTitle}, $title, 'title stored unchanged');
is($card->{dueAt}, '2026-05-25T12:34:56.789Z', 'due date');
is($card->{startAt}, '2026-05-20T08:00:00.000Z', 'start date, canonical form');
is($card->{columnId}, $c1, 'in the column');
$t->ok_status($alice->get("/cards/$card->{id}"), 200, 'get card');
my @more = map { $k->card($alice, $c1) } 1 .. 3;
my $top = $k->card($alice, $c1, beforeCardId => $card->{id});
is_deeply($k->column_order($c1), [ $top->{id}, $card->{id}, map { $_->{id} } @more ], 'insert before the first, the rest appended');

my $cards_before = $t->owned_rows(cards => $alice->id);
for my $case (
    [{}, 'empty'], [{ encTitle => 'plain' }, 'plaintext title'], [{ encTitle => 1 }, 'title not a string'],
    [{ encTitle => envelope(), encDescription => 'plain' }, 'plaintext description'],
    [{ encTitle => envelope(), dueAt => 'tomorrow' }, 'bad date'], [{ encTitle => envelope(), dueAt => 1234 }, 'date not a string'],
    [{ encTitle => envelope(), afterCardId => $foreign_card }, 'neighbour in another board'],
    [{ encTitle => envelope(), afterCardId => 'nope' }, 'malformed neighbour'],
    [{ encTitle => envelope(300 * 1024) }, 'title too large'],
    [{ id => 'BAD', encTitle => envelope() }, 'bad id'],
) {
    $t->error_is($alice->post("/columns/$c1/cards", $case->[0]), 400, 'BAD_REQUEST', "create card: $case->[1]");
}
$t->error_is($alice->post("/columns/$c1/cards", { encTitle => envelope(), afterCardId => $card->{id}, beforeCardId => $more[1]{id} }), 409, 'CONFLICT', 'non-adjacent neighbours');
$t->error_is($alice->post("/columns/cnosuchcolumn00000000000/cards", { encTitle => envelope() }), 404, 'NOT_FOUND', 'unknown column');
is($t->owned_rows(cards => $alice->id), $cards_before, 'no card stored by bad input');

# --- change, archive, list ---------------------------------------------------------------
$r = $alice->patch("/cards/$card->{id}", { encTitle => envelope(), dueAt => undef, encDescription => undef });
$t->ok_status($r, 200, 'change title, clear due date and description');
is($r->{json}{card}{dueAt}, undef, 'due date cleared');
is($r->{json}{card}{encDescription}, undef, 'description cleared');
$t->error_is($alice->patch("/cards/$card->{id}", {}), 400, 'BAD_REQUEST', 'patch: nothing to change');
$t->error_is($alice->patch("/cards/$card->{id}", { archived => 'yes' }), 400, 'BAD_REQUEST', 'patch: archived not boolean');
$t->error_is($alice->patch("/cards/$card->{id}", { startAt => '2026-13-45T00:00:00Z' }), 400, 'BAD_REQUEST', 'patch: impossible date');
$r = $alice->patch("/cards/$more[0]{id}", { archived => \1 });
$t->ok_status($r, 200, 'archive');
ok($r->{json}{card}{archived}, 'archived');
my $ids = sub { [ map { $_->{id} } @{ $alice->get("/boards/$b/cards$_[0]")->{json}{cards} } ] };
$t->ok_status($alice->get("/boards/$b/cards"), 200, 'list cards');
ok(!(grep { $_ eq $more[0]{id} } @{ $ids->('') }), 'archived card excluded by default');
ok((grep { $_ eq $more[0]{id} } @{ $ids->('?archived=true') }), 'included when asked');
is_deeply($ids->('?archived=only'), [ $more[0]{id} ], 'only archived');
$t->error_is($alice->get("/boards/$b/cards?archived=maybe"), 400, 'BAD_REQUEST', 'list: bad archived filter');

# --- moves -------------------------------------------------------------------------------
# c1 visible: top, card, [more0 archived], more1, more2
$r = $alice->patch("/cards/$more[2]{id}/move", { toColumnId => $c1, afterCardId => $card->{id}, beforeCardId => $more[1]{id} });
$t->ok_status($r, 200, 'move between neighbours adjacent among unarchived cards');
is_deeply($k->column_order($c1), [ $top->{id}, $card->{id}, $more[2]{id}, $more[0]{id}, $more[1]{id} ], 'placed straight after the first neighbour');
$r = $alice->patch("/cards/$top->{id}/move", { toColumnId => $c2 });
$t->ok_status($r, 200, 'move to another column (end)');
is($r->{json}{card}{columnId}, $c2, 'column changed');
$t->ok_status($alice->patch("/cards/$card->{id}/move", { toColumnId => $c2, beforeCardId => $top->{id} }), 200, 'move before a card of the target column');
is_deeply($k->column_order($c2), [ $card->{id}, $top->{id} ], 'target order');
for my $case (
    [{ toColumnId => $c1, afterCardId => $top->{id} }, 'neighbour in another column', 400, 'BAD_REQUEST'],
    [{ toColumnId => $foreign_col }, 'column of another board', 400, 'BAD_REQUEST'],
    [{ toColumnId => 'cnosuchcolumn00000000000' }, 'unknown column', 400, 'BAD_REQUEST'],
    [{}, 'no column', 400, 'BAD_REQUEST'],
    [{ toColumnId => 5 }, 'column not a string', 400, 'BAD_REQUEST'],
    [{ toColumnId => $c2, afterCardId => $card->{id} }, 'next to itself', 400, 'BAD_REQUEST'],
    [{ toColumnId => $c1, afterCardId => $more[1]{id}, beforeCardId => $more[2]{id} }, 'wrong order', 409, 'CONFLICT'],
) {
    $t->error_is($alice->patch("/cards/$card->{id}/move", $case->[0]), $case->[2], $case->[3], "move: $case->[1]");
}
is_deeply($k->column_order($c2), [ $card->{id}, $top->{id} ], 'failed moves changed nothing');

# --- Idempotency-Key -------------------------------------------------------------------
my $body = { encTitle => envelope() };
my $h = { 'Idempotency-Key' => 'retry-' . random_b64(8) };
my $first = $alice->post("/columns/$c2/cards", $body, $h);
$t->ok_status($first, 201, 'first request');
my $again = $alice->post("/columns/$c2/cards", $body, $h);
$t->ok_status($again, 201, 'retry answers the same status');
is($again->{json}{card}{id}, $first->{json}{card}{id}, 'and the same card');
is($again->{headers}{'Idempotent-Replayed'}, 'true', 'marked as replayed');
is($count->('SELECT 1 FROM cards WHERE column_id = ?', $c2), 3, 'only one card created');
$t->error_is($alice->post("/columns/$c2/cards", { encTitle => envelope() }, $h), 409, 'CONFLICT', 'same key, other body');
my $bob_same_key = $bob->post("/workspaces", { encName => envelope(), encWorkspaceKey => envelope(48) }, $h);
$t->ok_status($bob_same_key, 201, 'keys are per user');
$t->error_is($alice->post("/columns/$c2/cards", $body, { 'Idempotency-Key' => "bad\x01key" }), 400, 'BAD_REQUEST', 'malformed key');

# --- anonymous and non-members ------------------------------------------------------------
$t->error_is($anon->get("/cards/$card->{id}"), 401, 'UNAUTHORIZED', 'get card: anonymous');
$t->error_is($anon->patch("/cards/$card->{id}/move", { toColumnId => $c1 }), 401, 'UNAUTHORIZED', 'move: anonymous');
$t->error_is($bob->get("/cards/$card->{id}"), 404, 'NOT_FOUND', 'get card: non-member');
$t->error_is($bob->get("/boards/$b/cards"), 404, 'NOT_FOUND', 'list cards: non-member');
$t->error_is($bob->post("/columns/$c1/cards", { encTitle => envelope() }), 404, 'NOT_FOUND', 'create card: non-member');
$t->error_is($bob->patch("/cards/$card->{id}", { archived => \1 }), 404, 'NOT_FOUND', 'patch card: non-member');
$t->error_is($bob->patch("/cards/$card->{id}/move", { toColumnId => $c1 }), 404, 'NOT_FOUND', 'move card: non-member');
$t->error_is($bob->delete("/cards/$card->{id}"), 404, 'NOT_FOUND', 'delete card: non-member');

# --- delete --------------------------------------------------------------------------------
$t->ok_status($alice->delete("/cards/$card->{id}"), 204, 'delete card');
$t->error_is($alice->get("/cards/$card->{id}"), 404, 'NOT_FOUND', 'card gone');
$t->error_is($alice->delete("/cards/$card->{id}"), 404, 'NOT_FOUND', 'delete again');

done_testing;
