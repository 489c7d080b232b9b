# Card templates: save (one envelope), list (oldest first, with the board's ETag), delete;
# the size bound (413) and the count bound per board (409) of the test stack's config
# (scripts/stack: card_template_max_bytes = 8192, card_templates_per_board = 6); bad
# input stores nothing; Idempotency-Key; activity rows and board version; 401, non-member
# 404, viewer 403; another board's template is not reachable through this board.
use strict;
use warnings;
use Test::More;
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
my $other_board = $k->board($alice, $ws)->{id};
my $version = sub { $t->dbh->selectrow_array('SELECT version FROM boards WHERE id = ?', undef, $b) };
my $stored = sub { $count->('SELECT 1 FROM card_templates WHERE board_id = ?', $b) };
my $activity = sub { $count->('SELECT 1 FROM activity WHERE board_id = ? AND verb = ?', $b, $_[0]) };

# --- save and list -----------------------------------------------------------------------------
my $v0 = $version->();
my $body = envelope(2000);
my $r = $alice->post("/boards/$b/card-templates", { encBody => $body });
$t->ok_status($r, 201, 'save a template');
my $tpl = $r->{json}{template};
is($tpl->{encBody}, $body, 'body stored unchanged');
is($tpl->{boardId}, $b, 'on the board');
is($tpl->{createdBy}, $alice->id, 'created by alice');
ok($version->() > $v0, 'board version bumped');
is($activity->('CARD_TEMPLATE_CREATED'), 1, 'an activity row');
my ($meta) = $t->dbh->selectrow_array('SELECT metadata::text FROM activity WHERE board_id = ? AND verb = ?', undef, $b, 'CARD_TEMPLATE_CREATED');
unlike($meta // '', qr/\Q$body\E/, 'the activity row does not carry the body');

my $chosen = 'ctpl' . lc(random_b64(6) =~ s/[^a-z0-9]//gir) . 'x1';
$r = $alice->post("/boards/$b/card-templates", { id => $chosen, encBody => envelope(8192) });
$t->ok_status($r, 201, 'a client-chosen id, exactly at the size bound');
is($r->{json}{template}{id}, $chosen, 'the id is kept');
$alice->post("/boards/$other_board/card-templates", { encBody => envelope() });

$r = $vera->get("/boards/$b/card-templates");
$t->ok_status($r, 200, 'the viewer lists them');
is_deeply([ map { $_->{id} } @{ $r->{json}{templates} } ], [ $tpl->{id}, $chosen ], 'oldest first, not the other board\'s');
my $etag = $r->{headers}{ETag};
ok($etag, 'the list has an ETag');
$t->ok_status($alice->get("/boards/$b/card-templates", undef, { 'If-None-Match' => $etag }), 304, 'unchanged list: 304');

# --- bad input, nothing stored ----------------------------------------------------------------------
my $before = $stored->();
for my $case (
    [{}, 'empty'], [{ encBody => 'plain text template' }, 'plaintext body'], [{ encBody => 17 }, 'body not a string'],
    [{ id => 'BAD!', encBody => envelope() }, 'bad id'], [{ encBody => 'v1.short.x' }, 'malformed envelope'],
) {
    $t->error_is($alice->post("/boards/$b/card-templates", $case->[0]), 400, 'BAD_REQUEST', "save: $case->[1]");
}
$t->error_is($alice->post("/boards/$b/card-templates", { encBody => envelope(8193) }), 413, 'PAYLOAD_TOO_LARGE', 'save: one byte above the size bound');
$t->error_is($alice->post("/boards/$b/card-templates", { id => $chosen, encBody => envelope() }), 409, 'CONFLICT', 'save: id taken');
is($stored->(), $before, 'bad input stored nothing');

# --- Idempotency-Key ----------------------------------------------------------------------------------
my $h = { 'Idempotency-Key' => 'tpl-' . random_b64(8) };
my $same = { encBody => envelope() };
my $first = $alice->post("/boards/$b/card-templates", $same, $h);
$t->ok_status($first, 201, 'save with a key');
my $again = $alice->post("/boards/$b/card-templates", $same, $h);
is($again->{json}{template}{id}, $first->{json}{template}{id}, 'retry: the same template');
is($again->{headers}{'Idempotent-Replayed'}, 'true', 'replayed');
is($stored->(), $before + 1, 'stored once');

# --- the count bound ------------------------------------------------------------------------------------
$t->ok_status($alice->post("/boards/$b/card-templates", { encBody => envelope() }), 201, "template $_") for $stored->() + 1 .. 6;
is($stored->(), 6, 'six templates: the bound');
$t->error_is($alice->post("/boards/$b/card-templates", { encBody => envelope() }), 409, 'CONFLICT', 'a seventh is refused');
is($stored->(), 6, 'and not stored');
$t->ok_status($alice->post("/boards/$other_board/card-templates", { encBody => envelope() }), 201, 'the bound is per board');

# --- who may ------------------------------------------------------------------------------------------------
$t->error_is($anon->get("/boards/$b/card-templates"), 401, 'UNAUTHORIZED', 'list: anonymous');
$t->error_is($anon->post("/boards/$b/card-templates", { encBody => envelope() }), 401, 'UNAUTHORIZED', 'save: anonymous');
$t->error_is($anon->delete("/card-templates/$tpl->{id}"), 401, 'UNAUTHORIZED', 'delete: anonymous');
$t->error_is($mallory->get("/boards/$b/card-templates"), 404, 'NOT_FOUND', 'list: non-member');
$t->error_is($mallory->post("/boards/$b/card-templates", { encBody => envelope() }), 404, 'NOT_FOUND', 'save: non-member');
$t->error_is($mallory->delete("/card-templates/$tpl->{id}"), 404, 'NOT_FOUND', 'delete: non-member');
$t->error_is($vera->post("/boards/$b/card-templates", { encBody => envelope() }), 403, 'FORBIDDEN', 'save: viewer');
$t->error_is($vera->delete("/card-templates/$tpl->{id}"), 403, 'FORBIDDEN', 'delete: viewer');
is($stored->(), 6, 'nothing changed by them');

# --- delete ---------------------------------------------------------------------------------------------------
$v0 = $version->();
$t->ok_status($alice->delete("/card-templates/$tpl->{id}"), 204, 'delete');
ok($version->() > $v0, 'board version bumped');
is($activity->('CARD_TEMPLATE_DELETED'), 1, 'an activity row');
$t->error_is($alice->delete("/card-templates/$tpl->{id}"), 404, 'NOT_FOUND', 'delete again');
$t->error_is($alice->delete('/card-templates/nope'), 404, 'NOT_FOUND', 'a malformed id');
$t->ok_status($alice->post("/boards/$b/card-templates", { encBody => envelope() }), 201, 'room for one more');
$t->ok_status($alice->get("/boards/$b/card-templates", undef, { 'If-None-Match' => $etag }), 200, 'changed list: 200');

# --- the schema holds the shape --------------------------------------------------------------------------------
my $ok = eval { $t->dbh->do('INSERT INTO card_templates (id, board_id, enc_body) VALUES (?, ?, ?)', undef, 'ctplplain1', $b, 'plain'); 1 };
ok(!$ok && $@ =~ /card_templates_enc_body_shape/, 'plaintext refused by the database too');

done_testing;
