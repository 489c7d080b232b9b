# Lock order: every write takes its locks in one order (workspace, membership, board,
# then columns and cards), so concurrent writes on one board wait for each other instead
# of deadlocking. Each round races changes of a board's cards (update, delete, move) and
# of its columns against the board's deletion, and changes of one card against each other;
# no request may fail, and PostgreSQL must not have had to break a deadlock.
use strict;
use warnings;
use Test::More;
use Mojo::Promise;
use Mojo::JSON qw(encode_json true false);
use DBI;
use MSKanban::Test;
use MSKanban::Kanban;

my $t = MSKanban::Test->new;
my $k = MSKanban::Kanban->new($t);
my $owner = $t->user;
my @members = map { $t->user } 1 .. 8;
my $ws = $k->workspace($owner)->{id};
$k->invite($owner, $ws, $_, 'member') for @members;

# PostgreSQL's log (stack.env names it; older stacks kept it in logs/).
my $pglog = $t->env('MSKANBAN_PG_LOG') // $t->{state} . '/logs/postgresql.log';
ok(-r $pglog, "PostgreSQL's log is readable ($pglog)") or BAIL_OUT('cannot count deadlocks');
sub deadlocks {
    open my $fh, '<', $pglog or die "$pglog: $!";
    my $n = grep { /deadlock detected/ } <$fh>;
    return $n;
}

# Sends all requests at once, spread over the members; returns the statuses in order.
sub parallel {
    my $i = 0;
    my @p = map {
        my ($method, $path, $body) = @$_;
        my $c = $members[ $i++ % @members ];
        my @content = $body ? ({ 'Content-Type' => 'application/json' } => encode_json($body)) : ();
        my $tx = $c->ua->build_tx($method => $t->api . $path => @content);
        $c->ua->start_p($tx)->then(sub { $_[0]->res->code // 0 });
    } @_;
    my @codes;
    Mojo::Promise->all(@p)->then(sub { @codes = map { $_->[0] } @_ })->wait;
    return @codes;
}

# Fixtures come from all members in turn (each has its own mutation rate limit).
my $turn = 0;
sub someone { $members[ $turn++ % @members ] }

my $before = deadlocks();
my (%seen, @unexpected);
for my $round (1 .. 10) {
    my $b = $k->board(someone(), $ws)->{id};
    my ($c1, $c2) = map { $k->column(someone(), $b)->{id} } 1 .. 2;
    my @cards = map { $k->card(someone(), $_ % 2 ? $c1 : $c2)->{id} } 1 .. 8;
    my @reqs = (
        (map { ['PATCH', "/cards/$_", { encTitle => envelope() }] } @cards[0 .. 2]),
        (map { ['DELETE', "/cards/$_"] } @cards[3 .. 4]),
        (map { ['PATCH', "/cards/$_/move", { toColumnId => $c1 }] } @cards[5 .. 6]),
        ['PATCH', "/columns/$c2", { encName => envelope() }],
        ['PATCH', "/cards/$cards[7]", { archived => true }],
    );
    # The board's deletion goes in the middle of the burst.
    splice @reqs, 4, 0, ['DELETE', "/boards/$b"];
    my @codes = parallel(@reqs);
    for my $i (0 .. $#reqs) {
        my $code = $codes[$i];
        $seen{$code}++;
        my $want = $reqs[$i][0] eq 'DELETE' && $reqs[$i][1] =~ m{^/boards} ? qr/^204$/ : qr/^(200|204|404)$/;
        push @unexpected, "$reqs[$i][0] $reqs[$i][1]: $code" unless $code =~ $want;
    }
}
is_deeply(\@unexpected, [], 'card and column writes racing a board deletion: each applied or 404, the deletion 204')
    or diag(explain \%seen);

# Updates, archives and moves of the same cards, all at once: all apply.
my $b = $k->board(someone(), $ws)->{id};
my ($c1, $c2) = map { $k->column(someone(), $b)->{id} } 1 .. 2;
my @cards = map { $k->card(someone(), $c1)->{id} } 1 .. 4;
my @reqs = map {
    my $card = $cards[ $_ % 4 ];
    $_ % 3 == 0 ? ['PATCH', "/cards/$card/move", { toColumnId => $_ % 2 ? $c1 : $c2 }]
  : $_ % 3 == 1 ? ['PATCH', "/cards/$card", { encTitle => envelope() }]
  : ['PATCH', "/cards/$card", { archived => ($_ % 2 ? true : false) }]
} 1 .. 36;
my @codes = parallel(@reqs);
is(scalar(grep { $_ == 200 } @codes), 36, '36 concurrent updates and moves of four cards all applied') or diag("@codes");

# A write's authorization holds the caller's membership row (key share) until commit:
# removing the member waits for the write. Shown with the worker's own query text.
{
    my $src = $t->src . '/src/queries/authz.sql';
    open my $fh, '<', $src or die "$src: $!";
    my $sql = do { local $/; <$fh> };
    my ($write) = $sql =~ /^-- name: authz_card_write\n(.*?)(?=^-- |\z)/ms;
    ok($write && $write =~ /FOR KEY SHARE/, 'authz_card_write locks rows');
    my $writer = DBI->connect('dbi:Pg:' . $t->dbh->{Name}, $t->dbh->{Username}, '', { RaiseError => 1, AutoCommit => 0, PrintError => 0 });
    my $remover = DBI->connect('dbi:Pg:' . $t->dbh->{Name}, $t->dbh->{Username}, '', { RaiseError => 1, AutoCommit => 1, PrintError => 0 });
    my $m = $members[0];
    my $rows = $writer->selectall_arrayref($write, undef, $cards[0], $m->id);
    is(scalar @$rows, 1, 'the member may write the card (transaction left open)');
    $remover->do(q{SET lock_timeout = '300ms'});
    my $removed = eval { $remover->do('DELETE FROM workspace_members WHERE workspace_id = ? AND user_id = ?', undef, $ws, $m->id); 1 };
    like($removed ? 'removed' : $@, qr/lock timeout/, 'removing the member waits for the open write');
    $writer->rollback;
    $writer->disconnect;
    $remover->disconnect;
}

is(deadlocks() - $before, 0, 'PostgreSQL broke no deadlock meanwhile');

done_testing;
