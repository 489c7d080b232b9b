#!/usr/bin/perl
# The live stream when Redis goes away (serial: it restarts the stack's Redis): open
# streams stay open and resume (t/serial/94live-redis-resume.t has the details), a stream
# opened while Redis is down waits for it, nothing crashes, and ticks flow again once
# Redis is back.
use strict;
use warnings;
use Test::More;
use Time::HiRes qw(sleep time);
use MSKanban::Test;
use MSKanban::Live;

my $t = MSKanban::Test->new;
$t->wait_healthy;    # earlier serial tests restart services
plan skip_all => 'the module was not built' unless -f ($t->env('MSKANBAN_MODULE') // '');

my $alice = $t->user;
my (undef, $board) = MSKanban::Live::board($t, $alice);
my $ng = MSKanban::Live::Nginx->new($t, name => 'redis');
my $live = "/api/boards/$board/live";

my $s = $ng->stream($live, user => $alice);
is($s->status, 200, 'streaming');
sleep 0.2;
MSKanban::Live::touch_board($alice, $board);
ok($s->wait_events(1, 5), 'a tick');
my $last = $s->events->[-1]{id};

$t->stack('stop-redis');
sleep 1;
ok(!$s->done, 'Redis gone: the stream stays open');

my $waiting = $ng->stream($live, user => $alice, last_event_id => $last);
is($waiting->status, 200, 'a stream opened while Redis is down is accepted');
ok($waiting->wait_comments(1, 3), 'and kept alive with heartbeats');

$t->stack('start-redis');
# both connections of every worker: the subscription and the replay (command)
my $ready = MSKanban::Live::wait_until(sub {
    my @r = $ng->log_text =~ /redis (?:subscriber|command) connection .* ready/g;
    @r >= 4 * $ng->{workers} }, 15);
ok($ready, 'every worker reconnected to Redis');
sleep 0.3;
my $r = MSKanban::Live::touch_board($alice, $board);
ok($waiting->wait_events(2, 5), 'the waiting stream is live once Redis is back');
# the test stack's Redis keeps nothing across a restart: the history is gone
is($waiting->events->[0]{event}, 'RESYNC', 'told to reload: its history was lost');
my $redis = MSKanban::Live::Redis->new($t->env('MSKANBAN_REDIS_PORT'));
is_deeply([grep {defined} @{ $waiting->ids }], $redis->ids_after($board, $last),
    'then what the stream holds since');

my $again = $ng->stream($live, user => $alice);
is($again->status, 200, 'new streams work');
MSKanban::Live::touch_board($alice, $board);
ok($again->wait_events(1, 5), 'and get ticks');
ok($s->wait_events(2, 5), 'the first stream resumed too');
is($s->events->[1]{event}, 'RESYNC', 'told to reload, the history being lost');
$_->close for $s, $waiting, $again;

$ng->stop;
unlike($ng->log_text, qr/exited on signal|\[(alert|emerg|crit)\]/, 'no crash, no alert');
done_testing;
