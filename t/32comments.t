# Comments on a card: write (with mentions of workspace members), list oldest first with
# a cursor, edit (author only), delete (author or workspace owner); activity with ids
# only and the board's version bumped in the same transaction; Idempotency-Key; bad
# input stores nothing; 401, 404 for non-members, 403 for viewers.
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
my $ws = $k->workspace($alice)->{id};
$k->invite($alice, $ws, $bob, 'member');
$k->invite($alice, $ws, $vera, 'viewer');
my $b = $k->board($alice, $ws)->{id};
my $col = $k->column($alice, $b)->{id};
my $card = $k->card($alice, $col)->{id};
my $version = sub { $t->dbh->selectrow_array('SELECT version FROM boards WHERE id = ?', undef, $b) };
my $comments_of = sub { $count->('SELECT 1 FROM comments WHERE card_id = ?', $card) };

# --- write and read ----------------------------------------------------------------------
my $v0 = $version->();
my $body = envelope(500);
my $r = $bob->post("/cards/$card/comments", { encBody => $body, mentions => [ $alice->id, $vera->id, $alice->id ] });
$t->ok_status($r, 201, 'member writes a comment with mentions');
my $c = $r->{json}{comment};
is($c->{encBody}, $body, 'body stored unchanged');
is($c->{authorId}, $bob->id, 'author');
is_deeply($c->{mentions}, [ sort $alice->id, $vera->id ], 'mentions stored once each, in id order');
ok($version->() > $v0, 'board version bumped');
my $act = $t->dbh->selectrow_hashref(q{SELECT verb, target_id, metadata::text AS meta FROM activity
    WHERE board_id = ? ORDER BY seq DESC LIMIT 1}, undef, $b);
is($act->{verb}, 'COMMENT_ADDED', 'activity row');
is($act->{target_id}, $c->{id}, 'naming the comment');
unlike($act->{meta}, qr/v1\./, 'no ciphertext in the activity metadata');
my $own_id = 'c' . join '', map { ('0' .. '9', 'a' .. 'z')[rand 36] } 1 .. 24;
$r = $alice->post("/cards/$card/comments", { id => $own_id, encBody => envelope() });
$t->ok_status($r, 201, 'owner writes a comment with a client-chosen id');
is($r->{json}{comment}{id}, $own_id, 'the id kept');
is_deeply($r->{json}{comment}{mentions}, [], 'no mentions');
$t->error_is($alice->post("/cards/$card/comments", { id => $own_id, encBody => envelope() }), 409, 'CONFLICT', 'id taken');

# --- bad input stores nothing ---------------------------------------------------------------
my $n = $comments_of->();
my $mentions_n = $count->('SELECT 1 FROM comment_mentions');
for my $case (
    [{}, 'empty'], [{ encBody => 'plain' }, 'plaintext body'], [{ encBody => 7 }, 'body not a string'],
    [{ encBody => envelope(70 * 1024) }, 'body too large'], [{ id => 'BAD', encBody => envelope() }, 'bad id'],
    [{ encBody => envelope(), mentions => $alice->id }, 'mentions not an array'],
    [{ encBody => envelope(), mentions => [ 'nope' ] }, 'malformed mention'],
) {
    $t->error_is($bob->post("/cards/$card/comments", $case->[0]), 400, 'BAD_REQUEST', "create comment: $case->[1]");
}
is($comments_of->(), $n, 'no comment stored by bad input');
is($count->('SELECT 1 FROM comment_mentions'), $mentions_n, 'no mention stored by bad input');

# --- list, oldest first, with a cursor ---------------------------------------------------
$k->card($alice, $col);  # another card's comments stay apart
$bob->post("/cards/$card/comments", { encBody => envelope() }) for 1 .. 3;
my @all;
my $url = "/cards/$card/comments?limit=2";
my $pages = 0;
while ($url) {
    $r = $vera->get($url);
    $t->ok_status($r, 200, "viewer reads page " . ++$pages);
    push @all, @{ $r->{json}{comments} };
    $url = $r->{json}{nextCursor} ? "/cards/$card/comments?limit=2&after=$r->{json}{nextCursor}" : undef;
    last if $pages > 5;
}
is($pages, 3, 'five comments in pages of two');
is(scalar @all, 5, 'every comment once');
is($all[0]{id}, $c->{id}, 'oldest first');
is($all[1]{id}, $own_id, 'then the next');
$t->error_is($alice->get("/cards/$card/comments?limit=0"), 400, 'BAD_REQUEST', 'list: limit 0');
$t->error_is($alice->get("/cards/$card/comments?after=x1"), 400, 'BAD_REQUEST', 'list: bad cursor');

# --- edit: author only ---------------------------------------------------------------------
my $new_body = envelope();
$r = $bob->patch("/comments/$c->{id}", { encBody => $new_body, mentions => [] });
$t->ok_status($r, 200, 'author edits');
is($r->{json}{comment}{encBody}, $new_body, 'new body');
is_deeply($r->{json}{comment}{mentions}, [], 'mentions replaced');
$t->error_is($alice->patch("/comments/$c->{id}", { encBody => envelope() }), 403, 'FORBIDDEN', 'owner cannot edit another\'s comment');
$t->error_is($bob->patch("/comments/$c->{id}", {}), 400, 'BAD_REQUEST', 'edit: nothing to change');
$t->error_is($bob->patch("/comments/$c->{id}", { encBody => 'plain' }), 400, 'BAD_REQUEST', 'edit: plaintext');
$r = $bob->patch("/comments/$c->{id}", { mentions => [ $alice->id, $mallory->id ] });
$t->ok_status($r, 200, 'edit: a mention of a non-member is dropped, not refused');
is_deeply($r->{json}{comment}{mentions}, [ $alice->id ], '... only the member is kept');
is($count->('SELECT 1 FROM comment_mentions WHERE comment_id = ? AND user_id = ?', $c->{id}, $mallory->id), 0,
   '... and no row names the non-member');
$t->ok_status($bob->patch("/comments/$c->{id}", { mentions => [] }), 200, 'edit: mentions cleared again');
is($t->dbh->selectrow_array('SELECT enc_body FROM comments WHERE id = ?', undef, $c->{id}), $new_body, 'failed edits changed nothing');

# --- Idempotency-Key -----------------------------------------------------------------------
my $h = { 'Idempotency-Key' => 'cmt-' . random_b64(8) };
my $req = { encBody => envelope() };
my $first = $bob->post("/cards/$card/comments", $req, $h);
$t->ok_status($first, 201, 'first request');
my $again = $bob->post("/cards/$card/comments", $req, $h);
is($again->{json}{comment}{id}, $first->{json}{comment}{id}, 'retry answers the same comment');
is($again->{headers}{'Idempotent-Replayed'}, 'true', 'marked as replayed');
is($count->('SELECT 1 FROM comments WHERE enc_body = ?', $req->{encBody}), 1, 'stored once');

# --- anonymous, outsiders, viewers ------------------------------------------------------------
$t->error_is($anon->get("/cards/$card/comments"), 401, 'UNAUTHORIZED', 'list: anonymous');
$t->error_is($anon->post("/cards/$card/comments", { encBody => envelope() }), 401, 'UNAUTHORIZED', 'create: anonymous');
$t->error_is($anon->patch("/comments/$c->{id}", { encBody => envelope() }), 401, 'UNAUTHORIZED', 'edit: anonymous');
$t->error_is($anon->delete("/comments/$c->{id}"), 401, 'UNAUTHORIZED', 'delete: anonymous');
$t->error_is($mallory->get("/cards/$card/comments"), 404, 'NOT_FOUND', 'list: non-member');
$t->error_is($mallory->post("/cards/$card/comments", { encBody => envelope() }), 404, 'NOT_FOUND', 'create: non-member');
$t->error_is($mallory->patch("/comments/$c->{id}", { encBody => envelope() }), 404, 'NOT_FOUND', 'edit: non-member');
$t->error_is($mallory->delete("/comments/$c->{id}"), 404, 'NOT_FOUND', 'delete: non-member');
$t->error_is($vera->post("/cards/$card/comments", { encBody => envelope() }), 403, 'FORBIDDEN', 'create: viewer');
$t->error_is($vera->delete("/comments/$c->{id}"), 403, 'FORBIDDEN', 'delete: viewer');

# --- delete: author or owner -------------------------------------------------------------------
$t->error_is($bob->delete("/comments/$own_id"), 403, 'FORBIDDEN', 'a member cannot delete another\'s comment');
$t->ok_status($alice->delete("/comments/$c->{id}"), 204, 'owner deletes a member\'s comment');
$t->ok_status($alice->delete("/comments/$own_id"), 204, 'author deletes');
$t->error_is($alice->delete("/comments/$own_id"), 404, 'NOT_FOUND', 'delete again');
is($count->('SELECT 1 FROM comment_mentions WHERE comment_id = ?', $c->{id}), 0, 'its mentions went with it');
$t->ok_status($alice->delete("/cards/$card"), 204, 'delete the card');
is($comments_of->(), 0, 'its comments went with it');

done_testing;
