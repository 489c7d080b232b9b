# Custom fields: define (type plaintext, name and dropdown options envelopes), list in
# position order (with the board's ETag), rename, change a dropdown's options, reorder,
# delete; values on cards set and removed with PATCH /cards/:id {customFields}, answered
# by every card response (the card list and a single card agree); another board's field
# is a 400 and stores nothing; deleting a field deletes its values; the count bound per
# board of the test stack (scripts/stack: custom_fields_per_board = 10); bad input stores
# nothing; Idempotency-Key; activity rows; 401, non-member 404, viewer 403.
use strict;
use warnings;
use Test::More;
use MSKanban::Test;
use MSKanban::Kanban;

my $t = MSKanban::Test->new;
my $k = MSKanban::Kanban->new($t);
my ($alice, $bob, $vera, $mallory) = map { $t->user } 1 .. 4;  # owner, member, viewer, outsider
my $anon = $t->client;
my $count = sub { $t->count_rows(@_) };
my $dbh = $t->dbh;
my $ws = $k->workspace($alice)->{id};
$k->invite($alice, $ws, $vera, 'viewer');
$k->invite($alice, $ws, $bob, 'member');  # shares the work: one user may send 60 mutations a minute
my $b = $k->board($alice, $ws)->{id};
my $col = $k->column($alice, $b)->{id};
my $card = $k->card($alice, $col)->{id};
my $card2 = $k->card($alice, $col)->{id};
my $other_board = $k->board($alice, $ws)->{id};
my $other_card = $k->card($alice, $k->column($alice, $other_board)->{id})->{id};
my $version = sub { $dbh->selectrow_array('SELECT version FROM boards WHERE id = ?', undef, $b) };
my $fields_of = sub { $count->('SELECT 1 FROM custom_fields WHERE board_id = ?', $_[0] // $b) };
my $values_of = sub { $count->('SELECT 1 FROM card_field_values WHERE card_id = ?', $_[0]) };
my $activity = sub { $count->('SELECT 1 FROM activity WHERE board_id = ? AND verb = ?', $b, $_[0]) };
my $made = sub { my ($r, $name) = @_; $t->ok_status($r, 201, $name); $r->{json}{customField} };
# The card's values as the single-card answer shows them; the card list must agree.
my $values = sub {
    my $id = shift;
    my $one = $vera->get("/cards/$id")->{json}{card}{customFields};
    my ($listed) = grep { $_->{id} eq $id } @{ $vera->get("/boards/$b/cards")->{json}{cards} };
    is_deeply($listed->{customFields}, $one, 'the card list and the card agree on the values');
    return $one;
};

# --- define ---------------------------------------------------------------------------------------------
is_deeply($values->($card), {}, 'no values yet: an empty object');
my $v0 = $version->();
my $name = envelope();
my $text = $made->($alice->post("/boards/$b/custom-fields", { type => 'text', encName => $name }), 'a text field');
is($text->{type}, 'text', 'type kept');
is($text->{encName}, $name, 'name stored unchanged');
is($text->{encOptions}, undef, 'no options');
ok($version->() > $v0, 'board version bumped');
my $opts = envelope(600);
my $drop = $made->($alice->post("/boards/$b/custom-fields", { type => 'dropdown', encName => envelope(), encOptions => $opts }), 'a dropdown');
is($drop->{encOptions}, $opts, 'options stored unchanged');
my $date = $made->($alice->post("/boards/$b/custom-fields", { type => 'date', encName => envelope(), beforeFieldId => $text->{id} }), 'a date field placed first');
$made->($alice->post("/boards/$b/custom-fields", { type => $_, encName => envelope() }), "a $_ field") for qw(number url checkbox);
my $order = sub { [ map { $_->{id} } @{ $vera->get("/boards/$b/custom-fields")->{json}{customFields} } ] };
is_deeply([ @{ $order->() }[0 .. 2] ], [ $date->{id}, $text->{id}, $drop->{id} ], 'listed in position order');
is($activity->('CUSTOM_FIELD_CREATED'), 6, 'an activity row each');
my ($meta) = $dbh->selectrow_array(q{SELECT metadata::text FROM activity WHERE board_id = ? AND verb = 'CUSTOM_FIELD_CREATED' AND target_id = ?}, undef, $b, $drop->{id});
like($meta, qr/"type"\s*:\s*"dropdown"/, 'the activity row carries the type');
unlike($meta, qr/\Q$opts\E/, 'but not the options');
my $r = $vera->get("/boards/$b/custom-fields");
my $etag = $r->{headers}{ETag};
ok($etag, 'the list has an ETag');
$t->ok_status($alice->get("/boards/$b/custom-fields", undef, { 'If-None-Match' => $etag }), 304, 'unchanged list: 304');

my $before = $fields_of->();
for my $case (
    [{}, 'empty'], [{ type => 'text' }, 'no name'], [{ encName => envelope() }, 'no type'],
    [{ type => 'colour', encName => envelope() }, 'unknown type'], [{ type => 'text', encName => 'Priority' }, 'plaintext name'],
    [{ type => 'dropdown', encName => envelope() }, 'dropdown without options'],
    [{ type => 'text', encName => envelope(), encOptions => envelope() }, 'options on a text field'],
    [{ type => 'dropdown', encName => envelope(), encOptions => 'a,b,c' }, 'plaintext options'],
    [{ type => 'text', encName => envelope(), afterFieldId => 'nope!' }, 'malformed neighbour'],
    [{ type => 'text', encName => envelope(), afterFieldId => 'cnosuchfield000000000' }, 'unknown neighbour'],
    [{ id => 'BAD!', type => 'text', encName => envelope() }, 'bad id'],
) {
    $t->error_is($alice->post("/boards/$b/custom-fields", $case->[0]), 400, 'BAD_REQUEST', "define: $case->[1]");
}
$t->error_is($alice->post("/boards/$b/custom-fields", { id => $text->{id}, type => 'text', encName => envelope() }), 409, 'CONFLICT', 'define: id taken');
is($fields_of->(), $before, 'bad input stored nothing');

# --- change ---------------------------------------------------------------------------------------------------
my $renamed = envelope();
$r = $alice->patch("/custom-fields/$text->{id}", { encName => $renamed });
$t->ok_status($r, 200, 'rename');
is($r->{json}{customField}{encName}, $renamed, 'renamed');
my $opts2 = envelope(900);
$r = $alice->patch("/custom-fields/$drop->{id}", { encOptions => $opts2 });
$t->ok_status($r, 200, 'new dropdown options');
is($r->{json}{customField}{encOptions}, $opts2, 'options replaced');
$t->ok_status($alice->patch("/custom-fields/$date->{id}", { afterFieldId => $drop->{id} }), 200, 'move a field');
is_deeply([ @{ $order->() }[0 .. 2] ], [ $text->{id}, $drop->{id}, $date->{id} ], 'new order');
is($activity->('CUSTOM_FIELD_MOVED'), 1, 'a move is recorded as such');
$t->error_is($alice->patch("/custom-fields/$text->{id}", {}), 400, 'BAD_REQUEST', 'patch: nothing to change');
$t->error_is($alice->patch("/custom-fields/$text->{id}", { type => 'number' }), 400, 'BAD_REQUEST', 'patch: the type cannot change');
$t->error_is($alice->patch("/custom-fields/$text->{id}", { encOptions => envelope() }), 400, 'BAD_REQUEST', 'patch: options on a text field');
$t->error_is($alice->patch("/custom-fields/$text->{id}", { encName => 'plain' }), 400, 'BAD_REQUEST', 'patch: plaintext name');
$t->error_is($alice->patch("/custom-fields/$text->{id}", { afterFieldId => $text->{id} }), 400, 'BAD_REQUEST', 'patch: next to itself');
is($dbh->selectrow_array('SELECT type || enc_name FROM custom_fields WHERE id = ?', undef, $text->{id}), "text$renamed", 'bad patches stored nothing');
$t->ok_status($alice->get("/boards/$b/custom-fields", undef, { 'If-None-Match' => $etag }), 200, 'changed list: 200');

# --- values on cards -----------------------------------------------------------------------------------------------
my ($tv, $dv) = (envelope(), envelope());
$v0 = $version->();
$r = $alice->patch("/cards/$card", { customFields => { $text->{id} => $tv, $drop->{id} => $dv } });
$t->ok_status($r, 200, 'set two values');
is_deeply($r->{json}{card}{customFields}, { $text->{id} => $tv, $drop->{id} => $dv }, 'the answer carries them');
is_deeply($values->($card), { $text->{id} => $tv, $drop->{id} => $dv }, 'and every card answer');
is_deeply($values->($card2), {}, 'the other card has none');
ok($version->() > $v0, 'board version bumped');
($meta) = $dbh->selectrow_array(q{SELECT metadata::text FROM activity WHERE board_id = ? AND verb = 'CARD_UPDATED' AND target_id = ? ORDER BY seq DESC LIMIT 1}, undef, $b, $card);
like($meta, qr/customFields/, 'the activity row names the change');
unlike($meta, qr/\Q$tv\E/, 'but not the value');
my $tv2 = envelope();
$r = $alice->patch("/cards/$card", { customFields => { $text->{id} => $tv2, $drop->{id} => undef } });
$t->ok_status($r, 200, 'replace one value, remove the other');
is_deeply($values->($card), { $text->{id} => $tv2 }, 'replaced and removed');
$r = $alice->patch("/cards/$card", { encTitle => envelope(), customFields => { $date->{id} => envelope() } });
$t->ok_status($r, 200, 'a value together with the title');
is($values_of->($card), 2, 'fields not named keep their values');
$t->ok_status($alice->patch("/cards/$card", { customFields => { $drop->{id} => undef } }), 200, 'removing what is not set');

my $foreign = $alice->post("/boards/$other_board/custom-fields", { type => 'text', encName => envelope() })->{json}{customField}{id};
my $stored_before = $dbh->selectrow_array(q{SELECT string_agg(field_id || enc_value, ',' ORDER BY field_id) FROM card_field_values WHERE card_id = ?}, undef, $card);
my $title_before = $dbh->selectrow_array('SELECT enc_title FROM cards WHERE id = ?', undef, $card);
for my $case (
    [{ $foreign => envelope() }, 'another board\'s field'],
    [{ $text->{id} => envelope(), $foreign => envelope() }, 'one good value and another board\'s field'],
    [{ 'cnosuchfield000000000' => envelope() }, 'an unknown field'], [{ 'BAD!' => envelope() }, 'a malformed field id'],
    [{ $text->{id} => 'plain value' }, 'a plaintext value'], [{ $text->{id} => envelope(5000) }, 'a value too large'],
    [{ $text->{id} => 7 }, 'a number'], [{}, 'no values'], [[ $text->{id} ], 'not an object'],
) {
    $t->error_is($alice->patch("/cards/$card", { encTitle => envelope(), customFields => $case->[0] }), 400, 'BAD_REQUEST', "values: $case->[1]");
}
is($dbh->selectrow_array(q{SELECT string_agg(field_id || enc_value, ',' ORDER BY field_id) FROM card_field_values WHERE card_id = ?}, undef, $card),
   $stored_before, 'bad values stored nothing');
is($dbh->selectrow_array('SELECT enc_title FROM cards WHERE id = ?', undef, $card), $title_before, 'not even the title sent with them');
$t->error_is($alice->patch("/cards/$other_card", { customFields => { $text->{id} => envelope() } }), 400, 'BAD_REQUEST', 'a field on another board\'s card');
is($values_of->($other_card), 0, 'nothing stored there');

# The schema holds the rule too: a value row for another board's field cannot exist.
my $ok = eval { $dbh->do('INSERT INTO card_field_values (board_id, card_id, field_id, enc_value) VALUES (?, ?, ?, ?)', undef, $b, $card, $foreign, envelope()); 1 };
ok(!$ok && $@ =~ /card_field_values_field/, 'the database refuses another board\'s field') or diag($@);
$ok = eval { $dbh->do('INSERT INTO card_field_values (board_id, card_id, field_id, enc_value) VALUES (?, ?, ?, ?)', undef, $b, $card2, $text->{id}, 'plain'); 1 };
ok(!$ok && $@ =~ /card_field_values_enc_value_shape/, 'and a plaintext value') or diag($@);
$ok = eval { $dbh->do(q{INSERT INTO custom_fields (id, board_id, type, enc_name, position) VALUES ('cfldbad1', ?, 'colour', ?, 'a0')}, undef, $b, envelope()); 1 };
ok(!$ok && $@ =~ /custom_fields_type/, 'and an unknown type') or diag($@);

# --- Idempotency-Key -----------------------------------------------------------------------------------------------------
my $h = { 'Idempotency-Key' => 'cf-' . random_b64(8) };
my $same = { type => 'checkbox', encName => envelope() };
my $first = $alice->post("/boards/$b/custom-fields", $same, $h);
$t->ok_status($first, 201, 'define with a key');
my $again = $alice->post("/boards/$b/custom-fields", $same, $h);
is($again->{json}{customField}{id}, $first->{json}{customField}{id}, 'retry: the same field');
is($again->{headers}{'Idempotent-Replayed'}, 'true', 'replayed');

# --- who may ---------------------------------------------------------------------------------------------------------------
$t->error_is($anon->get("/boards/$b/custom-fields"), 401, 'UNAUTHORIZED', 'list: anonymous');
$t->error_is($anon->post("/boards/$b/custom-fields", { type => 'text', encName => envelope() }), 401, 'UNAUTHORIZED', 'define: anonymous');
$t->error_is($anon->patch("/custom-fields/$text->{id}", { encName => envelope() }), 401, 'UNAUTHORIZED', 'patch: anonymous');
$t->error_is($anon->delete("/custom-fields/$text->{id}"), 401, 'UNAUTHORIZED', 'delete: anonymous');
$t->error_is($mallory->get("/boards/$b/custom-fields"), 404, 'NOT_FOUND', 'list: non-member');
$t->error_is($mallory->post("/boards/$b/custom-fields", { type => 'text', encName => envelope() }), 404, 'NOT_FOUND', 'define: non-member');
$t->error_is($mallory->patch("/custom-fields/$text->{id}", { encName => envelope() }), 404, 'NOT_FOUND', 'patch: non-member');
$t->error_is($mallory->delete("/custom-fields/$text->{id}"), 404, 'NOT_FOUND', 'delete: non-member');
$t->error_is($mallory->patch("/cards/$card", { customFields => { $text->{id} => envelope() } }), 404, 'NOT_FOUND', 'values: non-member');
$t->error_is($vera->post("/boards/$b/custom-fields", { type => 'text', encName => envelope() }), 403, 'FORBIDDEN', 'define: viewer');
$t->error_is($vera->patch("/custom-fields/$text->{id}", { encName => envelope() }), 403, 'FORBIDDEN', 'patch: viewer');
$t->error_is($vera->delete("/custom-fields/$text->{id}"), 403, 'FORBIDDEN', 'delete: viewer');
$t->error_is($vera->patch("/cards/$card", { customFields => { $text->{id} => envelope() } }), 403, 'FORBIDDEN', 'values: viewer');
is_deeply($values->($card), { $text->{id} => $tv2, $date->{id} => $values->($card)->{$date->{id}} }, 'values unchanged by them');

# --- the count bound ---------------------------------------------------------------------------------------------------------
$made->($bob->post("/boards/$b/custom-fields", { type => 'text', encName => envelope() }), "field $_") for $fields_of->() + 1 .. 10;
is($fields_of->(), 10, 'ten fields: the bound');
$t->error_is($bob->post("/boards/$b/custom-fields", { type => 'text', encName => envelope() }), 409, 'CONFLICT', 'an eleventh is refused');
is($fields_of->(), 10, 'and not stored');

# --- delete -------------------------------------------------------------------------------------------------------------------
$v0 = $version->();
$t->ok_status($bob->delete("/custom-fields/$text->{id}"), 204, 'delete a field with values');
ok($version->() > $v0, 'board version bumped');
is($count->('SELECT 1 FROM card_field_values WHERE field_id = ?', $text->{id}), 0, 'its values went with it');
ok(!exists $values->($card)->{ $text->{id} }, 'and the card no longer shows it');
is($activity->('CUSTOM_FIELD_DELETED'), 1, 'an activity row');
$t->error_is($bob->delete("/custom-fields/$text->{id}"), 404, 'NOT_FOUND', 'delete again');
$t->error_is($bob->patch("/custom-fields/$text->{id}", { encName => envelope() }), 404, 'NOT_FOUND', 'patch a deleted field');
$t->error_is($bob->patch("/cards/$card", { customFields => { $text->{id} => envelope() } }), 400, 'BAD_REQUEST', 'a value for a deleted field');
$t->ok_status($bob->post("/boards/$b/custom-fields", { type => 'text', encName => envelope() }), 201, 'room for one more');
$t->ok_status($bob->delete("/cards/$card"), 204, 'delete the card');
is($values_of->($card), 0, 'its values went with it');

done_testing;
