# A Redis failure after commit never fails a mutation nor loses its activity row: with
# Redis stopped, card mutations still answer 2xx and are in the feed.
use strict;
use warnings;
use Test::More;
use MSKanban::Test;
use MSKanban::Kanban;

my $t = MSKanban::Test->new;
$t->wait_healthy;    # earlier serial tests restart services
my $k = MSKanban::Kanban->new($t);
my $alice = $t->user;
my $b = $k->board($alice, $k->workspace($alice)->{id})->{id};
my $col = $k->column($alice, $b)->{id};

$t->stack('stop-redis');
my $r = $alice->post("/columns/$col/cards", { encTitle => envelope() });
$t->ok_status($r, 201, 'create a card with Redis down');
my $card = $r->{json}{card}{id};
$t->ok_status($alice->patch("/cards/$card/move", { toColumnId => $col }), 200, 'move it with Redis down');
$t->stack('start-redis');

is($t->count_rows(q{SELECT 1 FROM activity WHERE target_id = ? AND verb IN ('CARD_CREATED', 'CARD_MOVED')}, $card), 2,
    'both activity rows committed');
$r = $alice->get("/boards/$b/activity?limit=2");
is_deeply([ map { $_->{verb} } @{ $r->{json}{activity} } ], [qw(CARD_MOVED CARD_CREATED)], 'and in the feed');

done_testing;
