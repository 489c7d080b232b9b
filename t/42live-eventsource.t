#!/usr/bin/perl
# A real client: the npm "eventsource" package (WHATWG EventSource) follows a board
# through forced reconnects (mskanban_live_max_duration ends each stream after about
# two seconds); EventSource's own Last-Event-ID must make the sequence complete.
use strict;
use warnings;
use Test::More;
use Time::HiRes qw(sleep time);
use Mojo::JSON qw(decode_json);
use MSKanban::Test;
use MSKanban::Live;

my $t = MSKanban::Test->new;
plan skip_all => 'the module was not built' unless -f ($t->env('MSKANBAN_MODULE') // '');
my $js = $t->src . '/t/js';
plan skip_all => 'npm packages missing (npm ci in t/js)' unless -d "$js/node_modules/eventsource";
system('node', '--version') == 0 or plan skip_all => 'node is not installed';

my $alice = $t->user;
my (undef, $board) = MSKanban::Live::board($t, $alice);
my $redis = MSKanban::Live::Redis->new($t->env('MSKANBAN_REDIS_PORT'));
my $ng = MSKanban::Live::Nginx->new($t, name => 'es',
    location => { mskanban_live_max_duration => '1500ms', mskanban_retry => '200ms' });

my $before = $redis->cmd('XREVRANGE', "mskanban:board:$board:ticks", '+', '-', 'COUNT', 1);
$before = @$before ? $before->[0][0] : '0-0';

my $n = 40;
my $log = $ng->prefix . '/eventsource.jsonl';
my $pid = fork // die;
if (!$pid) {
    open STDOUT, '>', $log or die;
    exec 'node', "$js/live-eventsource.mjs", $ng->url . "/api/boards/$board/live", $alice->cookie,
        $n + 1, 30000, 'TEST_JS', 'BOARD_UPDATED';
    exit 127;
}

sub lines {
    open my $fh, '<', $log or return ();
    return map { decode_json($_) } grep {/\S/} <$fh>;
}

ok(MSKanban::Live::wait_until(sub { grep { $_->{open} } lines() }, 10), 'EventSource opened');
MSKanban::Live::touch_board($alice, $board);
for my $i (1 .. $n) {
    $redis->tick($board, 'TEST_JS', qq({"n":$i}));
    sleep 0.1;
}
waitpid $pid, 0;
is($? >> 8, 0, 'the client saw every event') or diag(join "\n", map { Mojo::JSON::encode_json($_) } lines());

my @lines = lines();
my @events = grep { defined $_->{id} } @lines;
my $opens = grep { $_->{open} } @lines;
cmp_ok($opens, '>=', 2, "reconnected ($opens opens)");
is($events[0]{type}, 'BOARD_UPDATED', 'the REST mutation first') or diag(explain $events[0]);
is_deeply([map { $_->{id} } @events], $redis->ids_after($board, $before),
    'every tick exactly once, in order, across reconnects');
is(decode_json($events[-1]{data})->{n}, $n, 'the last one too');

$ng->stop;
done_testing;
