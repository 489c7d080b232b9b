# Boards and columns: create, list, read, rename, delete; column order, WIP limit, done
# flag, moves and the explicit choice when deleting a column with cards; bad input
# stores nothing; 401 and 404.
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
my $other_ws = $k->workspace($bob)->{id};

# --- boards --------------------------------------------------------------------------------
my $r = $alice->post("/workspaces/$ws/boards", { encName => envelope(), encBoardKey => envelope(48) });
$t->ok_status($r, 201, 'create board');
my $board = $r->{json}{board};
is($board->{workspaceId}, $ws, 'in the workspace');
$r = $alice->get("/workspaces/$ws/boards");
$t->ok_status($r, 200, 'list boards');
is_deeply([ map { $_->{id} } @{ $r->{json}{boards} } ], [ $board->{id} ], 'one board');
$t->ok_status($alice->get("/boards/$board->{id}"), 200, 'get board');
$r = $alice->patch("/boards/$board->{id}", { encName => envelope() });
$t->ok_status($r, 200, 'rename board');

my $boards_before = $t->owned_rows(boards => $alice->id);
for my $case (
    [{}, 'empty'], [{ encName => envelope() }, 'no board key'], [{ encBoardKey => envelope() }, 'no name'],
    [{ encName => 'x', encBoardKey => envelope() }, 'plaintext name'], [{ encName => envelope(), encBoardKey => [] }, 'key not a string'],
    [{ id => 'c-bad', encName => envelope(), encBoardKey => envelope() }, 'bad id'],
) {
    $t->error_is($alice->post("/workspaces/$ws/boards", $case->[0]), 400, 'BAD_REQUEST', "create board: $case->[1]");
}
$t->error_is($alice->post("/workspaces/$ws/boards", { id => $board->{id}, encName => envelope(), encBoardKey => envelope() }), 409, 'CONFLICT', 'board id taken');
is($t->owned_rows(boards => $alice->id), $boards_before, 'no board stored by bad input');
$t->error_is($alice->patch("/boards/$board->{id}", { encName => 5 }), 400, 'BAD_REQUEST', 'rename: wrong type');

$t->error_is($anon->get("/workspaces/$ws/boards"), 401, 'UNAUTHORIZED', 'list boards: anonymous');
$t->error_is($anon->get("/boards/$board->{id}"), 401, 'UNAUTHORIZED', 'get board: anonymous');
$t->error_is($bob->get("/workspaces/$ws/boards"), 404, 'NOT_FOUND', 'list boards: non-member');
$t->error_is($bob->post("/workspaces/$ws/boards", { encName => envelope(), encBoardKey => envelope() }), 404, 'NOT_FOUND', 'create board: non-member');
$t->error_is($bob->get("/boards/$board->{id}"), 404, 'NOT_FOUND', 'get board: non-member');
$t->error_is($bob->patch("/boards/$board->{id}", { encName => envelope() }), 404, 'NOT_FOUND', 'rename board: non-member');
$t->error_is($bob->delete("/boards/$board->{id}"), 404, 'NOT_FOUND', 'delete board: non-member');
$t->error_is($alice->get("/workspaces/$other_ws/boards"), 404, 'NOT_FOUND', 'foreign workspace');

# --- columns ---------------------------------------------------------------------------
my $b = $board->{id};
$r = $alice->post("/boards/$b/columns", { encName => envelope(), wipLimit => 3 });
$t->ok_status($r, 201, 'create column');
my $todo = $r->{json}{column};
is($todo->{wipLimit}, 3, 'wip limit');
ok(!$todo->{isDone}, 'not done');
my $done = $k->column($alice, $b, isDone => \1);
ok($done->{isDone}, 'done column');
my $doing = $k->column($alice, $b, afterColumnId => $todo->{id});
my $first = $k->column($alice, $b, beforeColumnId => $todo->{id});
my $order = sub { [ map { $_->{id} } @{ $alice->get("/boards/$b/columns")->{json}{columns} } ] };
$r = $alice->get("/boards/$b/columns");
$t->ok_status($r, 200, 'list columns');
is_deeply($order->(), [ map { $_->{id} } $first, $todo, $doing, $done ], 'columns in position order');

$t->error_is($alice->post("/boards/$b/columns", { encName => envelope(), afterColumnId => $first->{id}, beforeColumnId => $doing->{id} }), 409, 'CONFLICT', 'create between non-adjacent columns');
$t->ok_status($alice->patch("/columns/$done->{id}", { afterColumnId => $first->{id}, beforeColumnId => $todo->{id} }), 200, 'move a column between adjacent ones');
is_deeply($order->(), [ map { $_->{id} } $first, $done, $todo, $doing ], 'new order');
$r = $alice->patch("/columns/$todo->{id}", { wipLimit => undef, isDone => \1, encName => envelope() });
$t->ok_status($r, 200, 'clear the wip limit, set done, rename');
is($r->{json}{column}{wipLimit}, undef, 'wip limit cleared');

my $cols_before = $t->owned_rows(columns => $alice->id);
for my $case (
    [{}, 'empty'], [{ encName => 'plain' }, 'plaintext'], [{ encName => envelope(), wipLimit => 0 }, 'wip 0'],
    [{ encName => envelope(), wipLimit => '3' }, 'wip as string'], [{ encName => envelope(), isDone => 'yes' }, 'done not boolean'],
    [{ encName => envelope(), afterColumnId => 'cnosuchcolumn00000000000' }, 'unknown neighbour'],
    [{ encName => envelope(), afterColumnId => 'xyz' }, 'malformed neighbour'],
) {
    $t->error_is($alice->post("/boards/$b/columns", $case->[0]), 400, 'BAD_REQUEST', "create column: $case->[1]");
}
$t->error_is($alice->patch("/columns/$todo->{id}", {}), 400, 'BAD_REQUEST', 'patch column: nothing to change');
$t->error_is($alice->patch("/columns/$todo->{id}", { wipLimit => -1 }), 400, 'BAD_REQUEST', 'patch column: negative wip');
is($t->owned_rows(columns => $alice->id), $cols_before, 'no column stored by bad input');

$t->error_is($anon->get("/boards/$b/columns"), 401, 'UNAUTHORIZED', 'columns: anonymous');
$t->error_is($bob->get("/boards/$b/columns"), 404, 'NOT_FOUND', 'columns: non-member');
$t->error_is($bob->post("/boards/$b/columns", { encName => envelope() }), 404, 'NOT_FOUND', 'create column: non-member');
$t->error_is($bob->patch("/columns/$todo->{id}", { isDone => \0 }), 404, 'NOT_FOUND', 'patch column: non-member');
$t->error_is($bob->delete("/columns/$todo->{id}"), 404, 'NOT_FOUND', 'delete column: non-member');

# --- deleting a column with cards -------------------------------------------------------
my @cards = map { $k->card($alice, $todo->{id}) } 1 .. 3;
my $target_card = $k->card($alice, $doing->{id});
$r = $alice->delete("/columns/$todo->{id}");
$t->error_is($r, 409, 'CONFLICT', 'a column with cards is not deleted without a choice');
like($r->{json}{error}{message}, qr/3 card.*moveCardsTo/, 'the refusal says how many and how to move them');
my $other_board = $k->board($alice, $ws);
my $foreign_col = $k->column($alice, $other_board->{id});
$t->error_is($alice->delete("/columns/$todo->{id}?moveCardsTo=$foreign_col->{id}"), 400, 'BAD_REQUEST', 'cannot move cards to another board');
$t->error_is($alice->delete("/columns/$todo->{id}?moveCardsTo=$todo->{id}"), 400, 'BAD_REQUEST', 'cannot move cards to itself');
is($count->('SELECT 1 FROM columns WHERE id = ?', $todo->{id}), 1, 'column still there');
$r = $alice->delete("/columns/$todo->{id}?moveCardsTo=$doing->{id}");
$t->ok_status($r, 200, 'delete and move the cards');
is($r->{json}{movedCards}, 3, 'says three cards moved');
is($r->{json}{toColumnId}, $doing->{id}, 'and where');
is_deeply($k->column_order($doing->{id}), [ $target_card->{id}, map { $_->{id} } @cards ], 'appended after the existing card, order kept');
$t->ok_status($alice->delete("/columns/$first->{id}"), 200, 'an empty column is deleted');

# --- delete board -----------------------------------------------------------------------
$t->ok_status($alice->delete("/boards/$b"), 204, 'delete board');
is($count->('SELECT 1 FROM cards WHERE board_id = ?', $b), 0, 'its cards are gone');
$t->error_is($alice->get("/boards/$b"), 404, 'NOT_FOUND', 'board gone');
is($count->(q{SELECT 1 FROM activity WHERE verb = 'BOARD_DELETED' AND target_id = ?}, $b), 1, 'the deletion stays in the workspace feed');

done_testing;
