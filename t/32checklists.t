# Checklists on a card and their items: create, list (in order, items included), rename,
# reorder, check, move between the checklists of one card, delete; the card answers
# carry checklist: {done, total}; concurrent item moves keep distinct keys; bad input
# stores nothing; 401, 404 for non-members, 403 for viewers.
use strict;
use warnings;
use Test::More;
use Mojo::Promise;
use MSKanban::Test;
use MSKanban::Kanban;

my $t = MSKanban::Test->new;
my $k = MSKanban::Kanban->new($t);
my ($alice, $vera, $mallory) = map { $t->user } 1 .. 3;  # owner, viewer, outsider
my $anon = $t->client;
my $count = sub { $t->count_rows(@_) };
my $ws = $k->workspace($alice)->{id};
$k->invite($alice, $ws, $vera, 'viewer');
my $b = $k->board($alice, $ws)->{id};
my $col = $k->column($alice, $b)->{id};
my $card = $k->card($alice, $col)->{id};
my $other_card = $k->card($alice, $col)->{id};
my $version = sub { $t->dbh->selectrow_array('SELECT version FROM boards WHERE id = ?', undef, $b) };
my $made = sub { my ($r, $key, $name) = @_; $t->ok_status($r, 201, $name); $r->{json}{$key} };
my $progress = sub {
    my $one = $alice->get("/cards/$card")->{json}{card}{checklist};
    my ($listed) = grep { $_->{id} eq $card } @{ $alice->get("/boards/$b/cards")->{json}{cards} };
    is_deeply($listed->{checklist}, $one, 'the list and the card agree on the progress');
    return $one;
};

# --- checklists ---------------------------------------------------------------------------
is_deeply($progress->(), { done => 0, total => 0 }, 'no checklist yet: 0 of 0');
my $v0 = $version->();
my $l1 = $made->($alice->post("/cards/$card/checklists", { encTitle => envelope() }), 'checklist', 'create checklist');
ok($version->() > $v0, 'board version bumped');
is_deeply($l1->{items}, [], 'no items');
my $l2 = $made->($alice->post("/cards/$card/checklists", { encTitle => envelope() }), 'checklist', 'second checklist');
my $l0 = $made->($alice->post("/cards/$card/checklists", { encTitle => envelope(), beforeChecklistId => $l1->{id} }), 'checklist', 'checklist placed first');
my $order = sub { [ map { $_->{id} } @{ $vera->get("/cards/$card/checklists")->{json}{checklists} } ] };
is_deeply($order->(), [ $l0->{id}, $l1->{id}, $l2->{id} ], 'checklists in order');
$t->ok_status($alice->patch("/checklists/$l0->{id}", { afterChecklistId => $l2->{id} }), 200, 'move a checklist to the end');
is_deeply($order->(), [ $l1->{id}, $l2->{id}, $l0->{id} ], 'new order');
my $title = envelope();
my $r = $alice->patch("/checklists/$l1->{id}", { encTitle => $title });
$t->ok_status($r, 200, 'rename');
is($r->{json}{checklist}{encTitle}, $title, 'new title');

my $lists_before = $count->('SELECT 1 FROM checklists WHERE card_id = ?', $card);
for my $case (
    [{}, 'empty'], [{ encTitle => 'plain' }, 'plaintext title'], [{ encTitle => envelope(5000) }, 'title too large'],
    [{ id => 'BAD', encTitle => envelope() }, 'bad id'],
    [{ encTitle => envelope(), afterChecklistId => 'nope' }, 'malformed neighbour'],
) {
    $t->error_is($alice->post("/cards/$card/checklists", $case->[0]), 400, 'BAD_REQUEST', "create checklist: $case->[1]");
}
my $foreign = $made->($alice->post("/cards/$other_card/checklists", { encTitle => envelope() }), 'checklist', 'checklist on another card');
$t->error_is($alice->post("/cards/$card/checklists", { encTitle => envelope(), afterChecklistId => $foreign->{id} }), 400, 'BAD_REQUEST', 'neighbour on another card');
$t->error_is($alice->patch("/checklists/$l1->{id}", {}), 400, 'BAD_REQUEST', 'patch: nothing to change');
is($count->('SELECT 1 FROM checklists WHERE card_id = ?', $card), $lists_before, 'no checklist stored by bad input');

# --- items -------------------------------------------------------------------------------
my @items = map { $made->($alice->post("/checklists/$l1->{id}/items", { encText => envelope() }), 'item', "item $_") } 1 .. 3;
my $first = $made->($alice->post("/checklists/$l1->{id}/items", { encText => envelope(), done => \1, beforeItemId => $items[0]{id} }), 'item', 'checked item placed first');
ok($first->{done}, 'created checked');
my $item_order = sub { [ map { $_->{id} } @{ (grep { $_->{id} eq $_[0] } @{ $alice->get("/cards/$card/checklists")->{json}{checklists} })[0]{items} } ] };
is_deeply($item_order->($l1->{id}), [ $first->{id}, map { $_->{id} } @items ], 'items in order, inside the list answer');
is_deeply($progress->(), { done => 1, total => 4 }, '1 of 4');
$r = $alice->patch("/checklist-items/$items[1]{id}", { done => \1 });
$t->ok_status($r, 200, 'check an item');
ok($r->{json}{item}{done}, 'done');
is_deeply($progress->(), { done => 2, total => 4 }, '2 of 4');
my $act = $t->dbh->selectrow_hashref(q{SELECT verb, metadata::text AS meta FROM activity WHERE board_id = ? ORDER BY seq DESC LIMIT 1}, undef, $b);
is($act->{verb}, 'CHECKLIST_ITEM_CHECKED', 'activity verb');
unlike($act->{meta}, qr/v1\./, 'no ciphertext in the activity metadata');
$t->ok_status($alice->patch("/checklist-items/$items[2]{id}", { afterItemId => $first->{id} }), 200, 'move an item');
is_deeply($item_order->($l1->{id}), [ $first->{id}, $items[2]{id}, $items[0]{id}, $items[1]{id} ], 'moved');
$r = $alice->patch("/checklist-items/$items[0]{id}", { toChecklistId => $l2->{id} });
$t->ok_status($r, 200, 'move an item to another checklist of the card');
is($r->{json}{item}{checklistId}, $l2->{id}, 'in the other checklist');
for my $case (
    [{}, 'nothing to change', 400, 'BAD_REQUEST'], [{ done => 'yes' }, 'done not boolean', 400, 'BAD_REQUEST'],
    [{ encText => 'plain' }, 'plaintext', 400, 'BAD_REQUEST'],
    [{ toChecklistId => $foreign->{id} }, 'checklist of another card', 400, 'BAD_REQUEST'],
    [{ afterItemId => $items[1]{id}, beforeItemId => $first->{id} }, 'wrong order', 409, 'CONFLICT'],
    [{ afterItemId => $items[1]{id}x0 }, 'neighbour not in the list', 400, 'BAD_REQUEST'],
    [{ afterItemId => $items[1]{id} }, 'next to itself', 400, 'BAD_REQUEST'],
) {
    my $target = $case->[1] eq 'next to itself' ? $items[1]{id} : $items[2]{id};
    $t->error_is($alice->patch("/checklist-items/$target", $case->[0]), $case->[2], $case->[3], "patch item: $case->[1]");
}
is_deeply($item_order->($l1->{id}), [ $first->{id}, $items[2]{id}, $items[1]{id} ], 'failed changes changed nothing');
my $items_before = $count->('SELECT 1 FROM checklist_items WHERE card_id = ?', $card);
$t->error_is($alice->post("/checklists/$l1->{id}/items", {}), 400, 'BAD_REQUEST', 'create item: empty');
$t->error_is($alice->post("/checklists/$l1->{id}/items", { encText => 'plain' }), 400, 'BAD_REQUEST', 'create item: plaintext');
$t->error_is($alice->post("/checklists/$l1->{id}/items", { encText => envelope(), done => 1 }), 400, 'BAD_REQUEST', 'create item: done not boolean');
is($count->('SELECT 1 FROM checklist_items WHERE card_id = ?', $card), $items_before, 'no item stored by bad input');

# --- concurrent moves at one spot keep distinct keys ------------------------------------------
my @many = map { $made->($alice->post("/checklists/$l2->{id}/items", { encText => envelope() }), 'item', "item for moves $_")->{id} } 1 .. 6;
my @res;
Mojo::Promise->all(map { my $id = $_; $alice->request_p(PATCH => "/checklist-items/$id", { afterItemId => $many[0] })->then(sub { push @res, $_[0]{status} }) } @many[1 .. 5])->wait;
is(scalar(grep { $_ == 200 } @res), 5, 'five concurrent moves to one spot succeed');
is($count->('SELECT DISTINCT position FROM checklist_items WHERE checklist_id = ?', $l2->{id}),
   $count->('SELECT 1 FROM checklist_items WHERE checklist_id = ?', $l2->{id}), 'every item keeps its own key');

# --- access --------------------------------------------------------------------------------
$t->ok_status($vera->get("/cards/$card/checklists"), 200, 'viewer reads');
$t->error_is($vera->post("/cards/$card/checklists", { encTitle => envelope() }), 403, 'FORBIDDEN', 'viewer cannot add a checklist');
$t->error_is($vera->patch("/checklist-items/$first->{id}", { done => \0 }), 403, 'FORBIDDEN', 'viewer cannot check an item');
$t->error_is($vera->delete("/checklists/$l1->{id}"), 403, 'FORBIDDEN', 'viewer cannot delete a checklist');
$t->error_is($anon->get("/cards/$card/checklists"), 401, 'UNAUTHORIZED', 'list: anonymous');
$t->error_is($anon->post("/checklists/$l1->{id}/items", { encText => envelope() }), 401, 'UNAUTHORIZED', 'add item: anonymous');
$t->error_is($mallory->get("/cards/$card/checklists"), 404, 'NOT_FOUND', 'list: non-member');
$t->error_is($mallory->patch("/checklists/$l1->{id}", { encTitle => envelope() }), 404, 'NOT_FOUND', 'rename: non-member');
$t->error_is($mallory->post("/checklists/$l1->{id}/items", { encText => envelope() }), 404, 'NOT_FOUND', 'add item: non-member');
$t->error_is($mallory->patch("/checklist-items/$first->{id}", { done => \0 }), 404, 'NOT_FOUND', 'check: non-member');
$t->error_is($mallory->delete("/checklist-items/$first->{id}"), 404, 'NOT_FOUND', 'delete item: non-member');

# --- delete ----------------------------------------------------------------------------------
$t->ok_status($alice->delete("/checklist-items/$items[1]{id}"), 204, 'delete an item');
$t->error_is($alice->delete("/checklist-items/$items[1]{id}"), 404, 'NOT_FOUND', 'delete it again');
$t->ok_status($alice->delete("/checklists/$l1->{id}"), 204, 'delete a checklist');
is($count->('SELECT 1 FROM checklist_items WHERE checklist_id = ?', $l1->{id}), 0, 'its items went with it');
my $p = $progress->();
is($p->{total}, $count->('SELECT 1 FROM checklist_items WHERE card_id = ?', $card), 'progress counts what is left');
$t->ok_status($alice->delete("/cards/$card"), 204, 'delete the card');
is($count->('SELECT 1 FROM checklists WHERE card_id = ?', $card), 0, 'its checklists went with it');

done_testing;
