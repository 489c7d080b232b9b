# The one-statement move to the end of a column (sql/018_hot_path.sql and
# sql/019_hot_path_moves.sql, msk_card_move_end): the position keys it computes match
# src/positions.cpp, parallel moves to the end of one column keep distinct ordered keys
# with one activity row each, the activity row written inside the statement is the one
# the tick carries and has its webhook deliveries, a column whose next key would be too
# long is rebalanced (the general path), and it answers as the general path does (404,
# 403, 400) with nothing written.
use strict;
use warnings;
use Test::More;
use Mojo::Promise;
use Mojo::JSON ();
use MSKanban::Test;
use MSKanban::Kanban;

my $t = MSKanban::Test->new;
my $k = MSKanban::Kanban->new($t);
my $dbh = $t->dbh;

# --- the key after the last one: the vectors of t/unit/positions_test.cpp -----------------
my $after = sub { $dbh->selectrow_array('SELECT msk_position_after(?)', undef, $_[0]) };
is($after->(undef), 'a0', 'first key of an empty list');
is($after->('a0'), 'a1', 'next integer');
is($after->('a0V'), 'a1', 'a fraction is dropped');
is($after->('az'), 'b00', 'carry into a longer integer');
is($after->('Zz'), 'a0', 'negative to positive');
is($after->('Yzz'), 'Z0', 'a shorter negative integer');
is($after->('Y0z'), 'Y10', 'carry within the digits');
my $max = 'z' . ('z' x 26);
is($after->($max), $max . 'V', 'past the largest integer: a fraction');
is($after->($max . 'zzV'), $max . 'zzl', 'a fraction between the last one and 1');
is($after->($max . 'z'), $max . 'zV', 'a fraction of z');

my $owner = $t->user;
my $viewer = $t->user;
my $stranger = $t->user;
my @members = map { $t->user } 1 .. 8;
my $ws = $k->workspace($owner)->{id};
$k->invite($owner, $ws, $_, 'member') for @members;
$k->invite($owner, $ws, $viewer, 'viewer');
my $b = $k->board($owner, $ws)->{id};
my ($c1, $c2, $c3) = map { $k->column($owner, $b)->{id} } 1 .. 3;
my $other_col = $k->column($owner, $k->board($owner, $ws)->{id})->{id};

sub keys_of {
    my ($column) = @_;
    $dbh->selectall_arrayref(q{SELECT id, position FROM cards WHERE column_id = ? ORDER BY position COLLATE "C"},
                             undef, $column);
}

# --- parallel moves to the end of one column ------------------------------------------------
my @cards = map { $k->card($owner, $c1)->{id} } 1 .. 16;
my $tail = $k->card($owner, $c2)->{id};
my $i = 0;
my @p = map {
    my $card = $_;
    $members[ $i++ % @members ]->request_p(PATCH => "/cards/$card/move", { toColumnId => $c2 })
        ->then(sub { $_[0]{status} });
} @cards;
my @codes;
Mojo::Promise->all(@p)->then(sub { @codes = map { $_->[0] } @_ })->wait;
is(scalar(grep { $_ == 200 } @codes), 16, '16 parallel moves to the end all applied') or diag("@codes");
my $rows = keys_of($c2);
is(scalar(@$rows), 17, 'all in the target column');
is($rows->[0][0], $tail, 'after the card that was there');
my %seen;
ok(!(grep { $seen{ $_->[1] }++ } @$rows), 'distinct keys');
is($t->count_rows(q{SELECT 1 FROM activity WHERE verb = 'CARD_MOVED' AND board_id = ?}, $b), 16, 'one activity row each');
my $m = $owner->patch("/cards/$cards[0]/move", { toColumnId => $c2 });
$t->ok_status($m, 200, 'move within its column to the end');
is($m->{json}{card}{columnId}, $c2, 'answers the card');
is(keys_of($c2)->[-1][0], $cards[0], 'now last');
my $meta = $dbh->selectrow_array(q{SELECT metadata::text FROM activity WHERE verb = 'CARD_MOVED' AND target_id = ? ORDER BY seq DESC LIMIT 1},
                                 undef, $cards[0]);
like($meta, qr/"fromColumnId": "\Q$c2\E"/, 'activity names the column it came from');

# --- the activity row written in the statement: the tick's event and the webhook outbox ------
my $port = $t->env('MSKANBAN_REDIS_PORT');
my $hook = $owner->post("/boards/$b/webhooks", { url => 'https://hooks.example.invalid/moves', events => ['CARD_MOVED'] });
$t->ok_status($hook, 201, 'a webhook for moves');
$m = $owner->patch("/cards/$cards[2]/move", { toColumnId => $c1 });
$t->ok_status($m, 200, 'a move with a webhook');
my ($event_id, $event_at) = $dbh->selectrow_array(
    q{SELECT id, msk_iso(created_at) FROM activity WHERE verb = 'CARD_MOVED' AND target_id = ? ORDER BY seq DESC LIMIT 1},
    undef, $cards[2]);
my ($tick_json) = `redis-cli -p $port --raw XREVRANGE mskanban:board:$b:ticks + - COUNT 1` =~ /^(\{.*\})$/m;
my $tick = Mojo::JSON::decode_json($tick_json // '{}');
is($tick->{verb}, 'CARD_MOVED', 'the move published a tick');
is($tick->{id}, $event_id, 'carrying the activity row\'s id');
is($tick->{timestamp}, $event_at, 'and its time');
is_deeply($tick->{meta}, { fromColumnId => $c2, toColumnId => $c1 }, 'and where the card went');
my $payload = $dbh->selectrow_array(q{SELECT payload FROM webhook_deliveries WHERE activity_id = ?}, undef, $event_id);
ok($payload, 'the statement wrote the webhook delivery');
my $p = Mojo::JSON::decode_json($payload // '{}');
is_deeply([ @$p{qw(verb boardId cardId actorId timestamp)} ], [ 'CARD_MOVED', $b, $cards[2], $owner->id, $event_at ],
          'with the documented payload');
is_deeply($p->{metadata}, { fromColumnId => $c2, toColumnId => $c1, targetType => 'card', targetId => $cards[2] },
          'and metadata');

# --- a key that would be too long: the column is rebalanced ----------------------------------
my ($x, $y) = map { $k->card($owner, $c3)->{id} } 1 .. 2;
$dbh->do('UPDATE cards SET position = ? WHERE id = ?', undef, $max . ('z' x 21), $y);
$m = $owner->patch("/cards/$cards[1]/move", { toColumnId => $c3 });
$t->ok_status($m, 200, 'move after a card with a 48-character key');
$rows = keys_of($c3);
is_deeply([ map { $_->[0] } @$rows ], [ $x, $y, $cards[1] ], 'order kept, moved card last');
ok(!(grep { length $_->[1] > 48 } @$rows), 'keys rebalanced to a bounded length');

# --- the same answers as the general path ------------------------------------------------------
my $activity_rows = $t->count_rows(q{SELECT 1 FROM activity WHERE board_id = ?}, $b);
my $version = $dbh->selectrow_array('SELECT version FROM boards WHERE id = ?', undef, $b);
$t->error_is($viewer->patch("/cards/$x/move", { toColumnId => $c1 }), 403, 'FORBIDDEN', 'viewer');
$t->error_is($stranger->patch("/cards/$x/move", { toColumnId => $c1 }), 404, 'NOT_FOUND', 'non-member');
$t->error_is($owner->patch("/cards/cnosuchcard0000000000000/move", { toColumnId => $c1 }), 404, 'NOT_FOUND', 'unknown card');
$t->error_is($owner->patch("/cards/$x/move", { toColumnId => $other_col }), 400, 'BAD_REQUEST', 'column of another board');
$t->error_is($owner->patch("/cards/$x/move", { toColumnId => 'cnosuchcolumn00000000000' }), 400, 'BAD_REQUEST', 'unknown column');
is(keys_of($c3)->[0][0], $x, 'refused moves changed nothing');
is($t->count_rows(q{SELECT 1 FROM activity WHERE board_id = ?}, $b), $activity_rows, 'and wrote no activity');
is($dbh->selectrow_array('SELECT version FROM boards WHERE id = ?', undef, $b), $version, 'nor bumped the version');

done_testing;
