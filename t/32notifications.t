# Notifications: assigning someone else notifies them (not oneself, not twice for an
# assignment that changed nothing); a comment's mentions notify each mentioned member
# once (not the author; an edit notifies only those it adds); a notification holds ids,
# verb, actor and time, never content; GET /me/notifications lists newest first with a
# cursor and ?unread=1; POST /me/notifications/read {upTo} marks it and older ones read;
# another user's notification is a 400; removing a member removes their notifications
# from that workspace only; deleting the card removes its notifications; 401; a failed
# mutation writes no notification; Idempotency-Key.
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
my ($card, $card2) = map { $k->card($alice, $col)->{id} } 1 .. 2;
# Olga also belongs to a second workspace, with a notification there.
my $ws2 = $k->workspace($alice)->{id};
$k->invite($alice, $ws2, $olga, 'member');
my $card3 = $k->card($alice, $k->column($alice, $k->board($alice, $ws2)->{id})->{id})->{id};
my $notes = sub { $count->('SELECT 1 FROM notifications WHERE user_id = ?', $_[0]->id) };
my $list = sub { my ($u, $q) = @_; my $r = $u->get('/me/notifications' . ($q // '')); $t->ok_status($r, 200, 'list notifications'); $r->{json} };

# --- assignments -------------------------------------------------------------------------------
$t->ok_status($alice->post("/cards/$card/assignments", { userId => $olga->id }), 200, 'alice assigns olga');
$t->ok_status($alice->post("/cards/$card/assignments", { userId => $olga->id }), 200, '... again (no change)');
$t->ok_status($alice->post("/cards/$card/assignments", { userId => $alice->id }), 200, 'alice assigns herself');
$t->ok_status($olga->post("/cards/$card/assignments", { userId => $vera->id }), 200, 'olga assigns vera (a viewer)');
is($notes->($olga), 1, 'olga: one notification for one assignment');
is($notes->($alice), 0, 'alice: none for assigning herself');
is($notes->($vera), 1, 'vera: one');
my $page = $list->($olga);
is($page->{unread}, 1, 'one unread');
my $n = $page->{notifications}[0];
is_deeply({ map { $_ => $n->{$_} } qw(verb actorId workspaceId boardId cardId commentId read) },
    { verb => 'CARD_ASSIGNED', actorId => $alice->id, workspaceId => $ws, boardId => $b, cardId => $card,
      commentId => undef, read => Mojo::JSON->false }, 'ids, verb, actor');
$t->error_is($alice->post("/cards/$card2/assignments", { userId => 'cnosuchuser0000000000000' }), 400, 'BAD_REQUEST', 'a refused assignment');
$t->error_is($vera->post("/cards/$card2/assignments", { userId => $olga->id }), 403, 'FORBIDDEN', 'a viewer\'s assignment');
is($notes->($olga), 1, 'refused assignments notify nobody');

# --- mentions ----------------------------------------------------------------------------------
my $body = envelope();
my $r = $olga->post("/cards/$card/comments", { encBody => $body, mentions => [ $alice->id, $vera->id, $olga->id ] });
$t->ok_status($r, 201, 'olga mentions alice, vera and herself');
my $comment = $r->{json}{comment}{id};
is($notes->($alice), 1, 'alice: one');
is($notes->($olga), 1, 'olga: none for mentioning herself');
is($notes->($vera), 2, 'vera: one more');
$t->ok_status($olga->patch("/comments/$comment", { mentions => [ $alice->id, $vera->id ] }), 200, 'edit with the same mentions');
is($notes->($alice) + $notes->($vera), 3, 'an edit does not notify again');
$r = $olga->post("/cards/$card/comments", { encBody => envelope(), mentions => [ $alice->id, $bob->id ] });
$t->ok_status($r, 201, 'a comment mentioning a member and a non-member is written');
is_deeply($r->{json}{comment}{mentions}, [ $alice->id ], '... keeping only the member');
is($notes->($alice), 2, '... who is notified');
is($notes->($bob), 0, '... and the non-member is not');
my $c2 = $alice->post("/cards/$card2/comments", { encBody => envelope() })->{json}{comment}{id};
$t->ok_status($alice->patch("/comments/$c2", { mentions => [ $olga->id ] }), 200, 'an edit adds a mention');
is($notes->($olga), 2, '... which notifies');
$n = $list->($alice)->{notifications}[1]; # [0] is the comment that also mentioned bob
is_deeply({ map { $_ => $n->{$_} } qw(verb actorId cardId commentId) },
    { verb => 'COMMENT_MENTIONED', actorId => $olga->id, cardId => $card, commentId => $comment }, 'a mention names the comment');

# Never content: no envelope in any notification row.
my $rows = join "\n", @{ $t->dbh->selectcol_arrayref('SELECT row_to_json(n)::text FROM notifications n') };
unlike($rows, qr/v1\./, 'no ciphertext in the notifications table');
ok(index($rows, $body) < 0, 'not the comment body');

# --- listing, paging, reading ----------------------------------------------------------------
$t->ok_status($alice->post("/cards/$card3/assignments", { userId => $olga->id }), 200, 'olga assigned in the second workspace');
$t->ok_status($alice->post("/cards/$card2/assignments", { userId => $olga->id }), 200, 'and to card2');
my $all = $list->($olga);
is(scalar @{ $all->{notifications} }, 4, 'olga: four notifications');
is_deeply([ map { $_->{cardId} } @{ $all->{notifications} } ], [ $card2, $card3, $card2, $card ], 'newest first');
my $p1 = $list->($olga, '?limit=3');
is(scalar @{ $p1->{notifications} }, 3, 'a page of three');
ok($p1->{nextCursor}, 'with a cursor');
my $p2 = $list->($olga, "?limit=3&before=$p1->{nextCursor}");
is_deeply([ map { $_->{id} } @{ $p2->{notifications} } ], [ $all->{notifications}[3]{id} ], 'the next page: the rest');
is($p2->{nextCursor}, undef, 'and no further cursor');
$t->error_is($olga->get('/me/notifications?before=x1'), 400, 'BAD_REQUEST', 'a bad cursor');
$t->error_is($olga->get('/me/notifications?limit=0'), 400, 'BAD_REQUEST', 'a bad limit');
$t->error_is($olga->get('/me/notifications?unread=yes'), 400, 'BAD_REQUEST', 'a bad ?unread');

my $second = $all->{notifications}[1]{id};
$r = $olga->post('/me/notifications/read', { upTo => $second });
$t->ok_status($r, 200, 'mark read up to the second newest');
is($r->{json}{unread}, 1, 'the newest stays unread');
is_deeply([ map { $_->{read} ? 1 : 0 } @{ $list->($olga)->{notifications} } ], [ 0, 1, 1, 1 ], 'it and older ones read');
is_deeply([ map { $_->{id} } @{ $list->($olga, '?unread=1')->{notifications} } ], [ $all->{notifications}[0]{id} ], '?unread=1');
$t->ok_status($olga->post('/me/notifications/read', { upTo => $second }), 200, 'marking again changes nothing');
my $alices = $list->($alice)->{notifications}[0]{id};
for my $case ([{}, 'no upTo'], [{ upTo => 5 }, 'not a string'], [{ upTo => 'BAD' }, 'malformed'],
              [{ upTo => $alices }, 'another user\'s notification'], [{ upTo => 'cnosuchnote0000000000000' }, 'no such notification']) {
    $t->error_is($olga->post('/me/notifications/read', $case->[0]), 400, 'BAD_REQUEST', "read: $case->[1]");
}
is($list->($alice)->{unread}, 2, 'alice\'s notifications stay unread');
is($list->($olga)->{unread}, 1, 'and olga\'s newest too');

my $h = { 'Idempotency-Key' => 'ntf-' . random_b64(8) };
my $newest = $all->{notifications}[0]{id};
$t->ok_status($olga->post('/me/notifications/read', { upTo => $newest }, $h), 200, 'mark all read with a key');
my $again = $olga->post('/me/notifications/read', { upTo => $newest }, $h);
is($again->{headers}{'Idempotent-Replayed'}, 'true', 'retry replayed');
is($again->{json}{unread}, 0, 'none unread');

# --- who may ---------------------------------------------------------------------------------
$t->error_is($anon->get('/me/notifications'), 401, 'UNAUTHORIZED', 'list: anonymous');
$t->error_is($anon->post('/me/notifications/read', { upTo => $newest }), 401, 'UNAUTHORIZED', 'read: anonymous');
is_deeply($list->($bob)->{notifications}, [], 'bob sees none of them');

# --- removal, deletion ---------------------------------------------------------------------
$t->ok_status($alice->delete("/cards/$card2"), 204, 'delete card2');
is($notes->($olga), 2, 'its notifications (an assignment, a mention) are gone');
$t->ok_status($alice->delete("/workspaces/$ws/members/" . $olga->id), 204, 'remove olga from the first workspace');
is_deeply([ map { $_->{cardId} } @{ $list->($olga)->{notifications} } ], [ $card3 ], 'only the second workspace\'s notification stays');

done_testing;
