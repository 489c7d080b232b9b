# The one-statement move to the end of a column (sql/018_hot_path.sql,
# msk_card_move_end): the position keys it computes match src/positions.cpp, parallel
# moves to the end of one column keep distinct ordered keys with one activity row each,
# a column whose next key would be too long is rebalanced (the general path in the same
# transaction), and it answers as the general path does (404, 403, 400).
use strict;
use warnings;
use Test::More;
use Mojo::Promise;
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

# --- a key that would be too long: the column is rebalanced ----------------------------------
my ($x, $y) = map { $k->card($owner, $c3)->{id} } 1 .. 2;
$dbh->do('UPDATE cards SET position = ? WHERE id = ?', undef, $max . ('z' x 21), $y);
$m = $owner->patch("/cards/$cards[1]/move", { toColumnId => $c3 });
$t->ok_status($m, 200, 'move after a card with a 48-character key');
$rows = keys_of($c3);
is_deeply([ map { $_->[0] } @$rows ], [ $x, $y, $cards[1] ], 'order kept, moved card last');
ok(!(grep { length $_->[1] > 48 } @$rows), 'keys rebalanced to a bounded length');

# --- the same answers as the general path ------------------------------------------------------
$t->error_is($viewer->patch("/cards/$x/move", { toColumnId => $c1 }), 403, 'FORBIDDEN', 'viewer');
$t->error_is($stranger->patch("/cards/$x/move", { toColumnId => $c1 }), 404, 'NOT_FOUND', 'non-member');
$t->error_is($owner->patch("/cards/cnosuchcard0000000000000/move", { toColumnId => $c1 }), 404, 'NOT_FOUND', 'unknown card');
$t->error_is($owner->patch("/cards/$x/move", { toColumnId => $other_col }), 400, 'BAD_REQUEST', 'column of another board');
$t->error_is($owner->patch("/cards/$x/move", { toColumnId => 'cnosuchcolumn00000000000' }), 400, 'BAD_REQUEST', 'unknown column');
is(keys_of($c3)->[0][0], $x, 'refused moves changed nothing');

done_testing;
