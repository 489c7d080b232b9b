# Concurrency: parallel moves of one card, parallel inserts at one spot (with one and
# with two neighbours) and many inserts at one spot (rebalancing) all end in one
# consistent order with distinct, bounded position keys.
use strict;
use warnings;
use Test::More;
use Mojo::Promise;
use MSKanban::Test;
use MSKanban::Kanban;

my $t = MSKanban::Test->new;
my $k = MSKanban::Kanban->new($t);
my $dbh = $t->dbh;
my $owner = $t->user;
my @members = map { $t->user } 1 .. 8;
my $ws = $k->workspace($owner)->{id};
$k->invite($owner, $ws, $_, 'member') for @members;
my $b = $k->board($owner, $ws)->{id};
my ($c1, $c2) = map { $k->column($owner, $b)->{id} } 1 .. 2;

# Sends all requests at once (spread over the members' clients); returns the statuses.
sub parallel {
    my @reqs = @_;  # [method, path, body]
    my $i = 0;
    my @p = map {
        my ($method, $path, $body) = @$_;
        my $c = $members[ $i++ % @members ];
        $c->request_p($method => $path, $body)->then(sub { $_[0]{status} });
    } @reqs;
    my @codes;
    Mojo::Promise->all(@p)->then(sub { @codes = map { $_->[0] } @_ })->wait;
    return @codes;
}

sub keys_ok {
    my ($column, $name) = @_;
    my $rows = $dbh->selectall_arrayref(q{SELECT id, position FROM cards WHERE column_id = ? ORDER BY position COLLATE "C"}, undef, $column);
    my %seen;
    ok(!(grep { $seen{ $_->[1] }++ } @$rows), "$name: distinct keys");
    ok(!(grep { length $_->[1] > 48 } @$rows), "$name: bounded keys");
    return [ map { $_->[0] } @$rows ];
}

# --- parallel moves of the same card ------------------------------------------------------
my @anchors = map { $k->card($owner, $c1)->{id} } 1 .. 4;
my @anchors2 = map { $k->card($owner, $c2)->{id} } 1 .. 4;
my $mover = $k->card($owner, $c1)->{id};
my @moves = map {
    my $to = $_ % 2 ? $c1 : $c2;
    my $anchor = ($_ % 2 ? \@anchors : \@anchors2)->[ $_ % 4 ];
    ['PATCH', "/cards/$mover/move", { toColumnId => $to, afterCardId => $anchor }]
} 1 .. 16;
my @codes = parallel(@moves);
is(scalar(grep { $_ == 200 } @codes), 16, '16 parallel moves of one card all applied') or diag("@codes");
my $in1 = grep { $_ eq $mover } @{ keys_ok($c1, 'column 1 after moves') };
my $in2 = grep { $_ eq $mover } @{ keys_ok($c2, 'column 2 after moves') };
is($in1 + $in2, 1, 'the card is in exactly one place');
is($t->count_rows(q{SELECT 1 FROM activity WHERE verb = 'CARD_MOVED' AND target_id = ?}, $mover), 16, 'one activity row per move');

# --- parallel inserts at one spot, one neighbour -----------------------------------------
my ($x, $y) = @anchors[0, 1];
my @inserts = map { ['POST', "/columns/$c1/cards", { encTitle => envelope(), afterCardId => $x }] } 1 .. 16;
@codes = parallel(@inserts);
is(scalar(grep { $_ == 201 } @codes), 16, '16 parallel inserts after one card all applied') or diag("@codes");
my $order = keys_ok($c1, 'inserts after one card');
my ($ix) = grep { $order->[$_] eq $x } 0 .. $#$order;
my ($iy) = grep { $order->[$_] eq $y } 0 .. $#$order;
is($iy - $ix, 17, 'the new cards sit together between the two neighbours');

# --- parallel inserts between two neighbours: one wins, the rest are told to reload ------
($x, $y) = @anchors2[1, 2];
@codes = parallel(map { ['POST', "/columns/$c2/cards", { encTitle => envelope(), afterCardId => $x, beforeCardId => $y }] } 1 .. 8);
is(scalar(grep { $_ == 201 } @codes), 1, 'exactly one insert between two adjacent cards succeeds') or diag("@codes");
is(scalar(grep { $_ == 409 } @codes), 7, 'the others get 409') or diag("@codes");
keys_ok($c2, 'inserts between two cards');

# --- many inserts at one spot: keys stay bounded (rebalancing) ----------------------------
my $c3 = $k->column($owner, $b)->{id};
my $first = $k->card($owner, $c3)->{id};
my $last = $k->card($owner, $c3)->{id};
my @made;
for my $i (1 .. 300) {
    my $c = $members[ $i % @members ];
    my $r = $c->post("/columns/$c3/cards", { encTitle => envelope(), afterCardId => $first });
    last unless is($r->{status}, 201, "insert $i at one spot") || 0;
    push @made, $r->{json}{card}{id};
}
my $final = keys_ok($c3, '300 inserts at one spot');
is_deeply($final, [ $first, reverse(@made), $last ], 'each insert landed straight after the first card');
my ($longest) = $dbh->selectrow_array('SELECT max(length(position)) FROM cards WHERE column_id = ?', undef, $c3);
cmp_ok($longest, '<=', 48, "longest key $longest characters");

done_testing;
