# The activity feed and board ticks: one row per mutation with the right verb and
# metadata only, newest first with a cursor; each board mutation is in the board's
# Redis replay stream and published on its channel as "<streamId> <VERB> <json>".
use strict;
use warnings;
use Test::More;
use Mojo::JSON qw(decode_json);
use IO::Socket::INET;
use MSKanban::Test;
use MSKanban::Kanban;

my $t = MSKanban::Test->new;
my $k = MSKanban::Kanban->new($t);
my ($alice, $bob, $eve) = ($t->user, $t->user, $t->user);
my $port = $t->env('MSKANBAN_REDIS_PORT');
sub redis { my $out = `redis-cli -p $port @_`; return $out }

my $ws = $k->workspace($alice)->{id};
$k->invite($alice, $ws, $bob, 'viewer');
my $b = $k->board($alice, $ws)->{id};

# A subscriber on the board channel, started before the mutations.
my $sub = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port) or die "redis: $!";
if (length($ENV{REDISCLI_AUTH} // '')) {    # the stack's Redis wants its password (MSKanban::Test sets it)
    print $sub "AUTH $ENV{REDISCLI_AUTH}\r\n";
    sysread($sub, my $ok, 64);
    $ok =~ /^\+OK/ or die "redis AUTH: $ok";
}
print $sub "SUBSCRIBE mskanban:board:$b\r\n";
my $ack = '';
sysread($sub, $ack, 4096) for 1;

my $c1 = $k->column($alice, $b)->{id};
my $c2 = $k->column($alice, $b, wipLimit => 2)->{id};
my $card = $k->card($alice, $c1, encDescription => envelope(64), dueAt => '2099-06-01T00:00:00.000Z');
$alice->patch("/cards/$card->{id}", { encTitle => envelope() });
$alice->patch("/cards/$card->{id}/move", { toColumnId => $c2 });
$alice->patch("/cards/$card->{id}", { archived => \1 });
$alice->patch("/cards/$card->{id}", { archived => \0 });
$alice->patch("/columns/$c2", { isDone => \1 });
$alice->patch("/columns/$c1", { afterColumnId => $c2 });
$alice->delete("/cards/$card->{id}");
$alice->patch("/boards/$b", { encName => envelope() });

my @verbs = qw(BOARD_UPDATED CARD_DELETED COLUMN_MOVED COLUMN_UPDATED CARD_RESTORED CARD_ARCHIVED CARD_MOVED CARD_UPDATED CARD_CREATED COLUMN_CREATED COLUMN_CREATED BOARD_CREATED);
my $r = $bob->get("/boards/$b/activity");
$t->ok_status($r, 200, 'a viewer reads the feed');
my @feed = @{ $r->{json}{activity} };
is_deeply([ map { $_->{verb} } @feed ], \@verbs, 'one row per mutation, newest first');
is($r->{json}{nextCursor}, undef, 'no more pages');
my ($moved) = grep { $_->{verb} eq 'CARD_MOVED' } @feed;
is_deeply($moved->{meta}, { fromColumnId => $c1, toColumnId => $c2 }, 'CARD_MOVED says from and to');
is($moved->{actorId}, $alice->id, 'actor');
is($moved->{targetId}, $card->{id}, 'target');
my ($done) = grep { $_->{verb} eq 'COLUMN_UPDATED' } @feed;
is($done->{meta}{isDone}, JSON::PP::true, 'COLUMN_UPDATED carries the plaintext flag');
unlike($r->{body}, qr/v1\.[A-Za-z0-9_-]{32}\./, 'no ciphertext anywhere in the feed');
my ($meta_envelopes) = $t->dbh->selectrow_array(q{SELECT count(*) FROM activity WHERE board_id = ? AND metadata::text ~ 'v1\.'}, undef, $b);
is($meta_envelopes, 0, 'no ciphertext in stored metadata');

# --- pagination ----------------------------------------------------------------------------
my (@paged, $cursor);
for (1 .. 10) {
    my $page = $bob->get("/boards/$b/activity?limit=5" . ($cursor ? "&before=$cursor" : ''));
    $t->ok_status($page, 200, 'a page');
    push @paged, map { $_->{verb} } @{ $page->{json}{activity} };
    $cursor = $page->{json}{nextCursor} or last;
}
is_deeply(\@paged, \@verbs, 'pages of 5 walk the whole feed in order');
$t->error_is($bob->get("/boards/$b/activity?limit=0"), 400, 'BAD_REQUEST', 'limit 0');
$t->error_is($bob->get("/boards/$b/activity?limit=abc"), 400, 'BAD_REQUEST', 'limit not a number');
$t->error_is($bob->get("/boards/$b/activity?before=xyz"), 400, 'BAD_REQUEST', 'bad cursor');
$t->error_is($t->client->get("/boards/$b/activity"), 401, 'UNAUTHORIZED', 'anonymous');
$t->error_is($eve->get("/boards/$b/activity"), 404, 'NOT_FOUND', 'non-member');

# --- ticks: replay stream and channel --------------------------------------------------------
my @stream = grep { /^[A-Z]+_[A-Z_]+$/ } split /\n/, redis("XRANGE mskanban:board:$b:ticks - +");
is_deeply(\@stream, [ reverse @verbs ], 'every board mutation is in the replay stream, in order');
my $raw = redis("--raw XREVRANGE mskanban:board:$b:ticks + - COUNT 1");
my ($json) = $raw =~ /^(\{.*\})$/m;
my $tick = decode_json($json);
is($tick->{verb}, 'BOARD_UPDATED', 'tick data has the verb');
is($tick->{boardId}, $b, 'and the board');
is($tick->{actorId}, $alice->id, 'and the actor');
like($tick->{timestamp}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, 'and the time');

my $published = '';
$sub->blocking(0);
for (1 .. 20) {
    my $buf = '';
    sysread($sub, $buf, 65536);
    $published .= $buf // '';
    last if $published =~ /BOARD_UPDATED/;
    select undef, undef, undef, 0.05;
}
my @messages = $published =~ /^(\d+-\d+ [A-Z_]+ \{.*\})\r$/mg;
is(scalar @messages, @verbs - 1, 'every tick after the subscription (all but BOARD_CREATED) was published on the board channel');
like($messages[-1], qr/^\d+-\d+ BOARD_UPDATED \{"id":"c/, 'as "<streamId> <VERB> <json>"');

done_testing;
