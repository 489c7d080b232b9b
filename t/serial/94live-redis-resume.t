#!/usr/bin/perl
# Live streams survive Redis (issue 15; serial: it kills, stops and restarts the stack's
# Redis). When the module's subscriber connections drop, no stream is closed: each
# resumes from the last tick it was sent (the board stream holds what was published
# meanwhile), so every tick arrives exactly once; a Redis that hangs (SIGSTOP) is noticed
# within mskanban_redis_ping_timeout; a Redis restart that lost the history is a RESYNC,
# not a reconnect.
use strict;
use warnings;
use Test::More;
use POSIX ();
use Time::HiRes qw(sleep time);
use MSKanban::Test;
use MSKanban::Live;

my $t = MSKanban::Test->new;
$t->wait_healthy;    # earlier serial tests restart services
plan skip_all => 'the module was not built' unless -f ($t->env('MSKANBAN_MODULE') // '');

my $alice = $t->user;
my (undef, $board) = MSKanban::Live::board($t, $alice);
my $ng = MSKanban::Live::Nginx->new($t, name => 'resume', workers => 2,
    http => { mskanban_redis_ping_timeout => '1s', mskanban_redis_reconnect_max => '500ms',
              mskanban_redis_loss_recheck => 0 });
my $live = "/api/boards/$board/live";
my $port = $t->env('MSKANBAN_REDIS_PORT');
my $redis = MSKanban::Live::Redis->new($port);
my $w = $ng->{workers};    # 1 under valgrind
my $ready = sub { scalar(() = $ng->log_text =~ /redis subscriber connection .* ready/g) };

# half of the streams have been sent a tick before the loss, half have not
my @early = map { $ng->stream($live, user => $alice) } 1 .. 5;
is($_->status, 200, 'streaming') for @early;
sleep 0.3;
$redis->tick($board, 'T', '{"n":0}');
ok(MSKanban::Live::wait_until(sub { !grep { @{ $_->events } < 1 } @early }, 5), 'a first tick');
my @late = map { $ng->stream($live, user => $alice) } 1 .. 5;
is($_->status, 200, 'more streaming') for @late;
my @all = (@early, @late);
MSKanban::Live::wait_until(sub { !grep { !$_->comments } @late }, 3);

sub ids_of { my ($s) = @_; [grep { defined } map { $_->{id} } @{ $s->events }] }

subtest 'the subscriber connections are killed while ticks are published' => sub {
    my $before = $ready->();
    my $n = 200;
    my $pid = fork // die;
    if (!$pid) {
        my $r = MSKanban::Live::Redis->new($port);
        for my $i (1 .. $n) {
            $r->tick($board, 'T', qq({"n":$i}));
            $r->cmd('CLIENT', 'KILL', 'TYPE', 'pubsub') if $i == 50 || $i == 120;
            sleep 0.005;
        }
        POSIX::_exit(0);
    }
    waitpid $pid, 0;
    ok(MSKanban::Live::wait_until(sub { $ready->() >= $before + 2 * $w }, 10), 'every worker reconnected, twice');
    my $first = $early[0]->events->[0]{id};    # the stream also holds the board's creation
    my @want_after_first = @{ $redis->ids_after($board, $first) };
    my $want = [$first, @want_after_first];
    ok(MSKanban::Live::wait_until(sub { !grep { @{ ids_of($_) } < @want_after_first } @late }, 10), 'the streams caught up');
    MSKanban::Live::wait_until(sub { !grep { @{ ids_of($_) } < @$want } @early }, 5);
    is_deeply(ids_of($_), $want, 'a stream sent a tick before: every tick, once, in order') for @early;
    is_deeply(ids_of($_), \@want_after_first, 'a stream sent nothing before: every tick since it opened, once') for @late;
    ok(!(grep { $_->done } @all), 'no stream was closed');
    ok(!(grep { ($_->{event} // '') eq 'RESYNC' } map { @{ $_->events } } @all), 'nobody was told to reload');
    like($ng->log_text, qr/live streams wait for redis to resume/, 'logged');
};

subtest 'a hung Redis is noticed within mskanban_redis_ping_timeout' => sub {
    open my $fh, '<', "$t->{state}/redis/redis.pid" or die "redis pid: $!";
    my $rpid = <$fh> + 0;
    my $hung = sub { scalar(() = $ng->log_text =~ /redis subscriber connection .* did not answer PING/g) };
    my $before = $hung->();
    my $n = $ready->();
    kill 'STOP', $rpid;
    my $t0 = time;
    my $seen = MSKanban::Live::wait_until(sub { $hung->() >= $before + $w }, 5);
    my $took = time - $t0;
    kill 'CONT', $rpid;
    ok($seen, sprintf('detected after %.1f s', $took));
    cmp_ok($took, '<=', $ENV{MSKANBAN_VALGRIND} ? 3 : 1.5, 'within the 1 s timeout (and a tick)');
    ok(MSKanban::Live::wait_until(sub { $ready->() >= $n + $w }, 10), 'reconnected once Redis went on');
    $redis = MSKanban::Live::Redis->new($port);
    sleep 0.3;
    my $id = $redis->tick($board, 'T', '{"n":"after stop"}');
    ok(MSKanban::Live::wait_until(sub { !grep { ids_of($_)->[-1] ne $id } @all }, 10), 'the same streams get the next tick');
    ok(!(grep { $_->done } @all), 'no stream was closed');
};

subtest 'a Redis restart that loses the history' => sub {
    my $n = $ready->();
    $t->stack('stop-redis');
    sleep 1.5;
    ok(!(grep { $_->done } @all), 'Redis away: the streams stay open');
    my $c = $all[0]->comments;
    ok($all[0]->wait_comments($c + 1, 3), 'with heartbeats');
    $t->stack('start-redis');
    ok(MSKanban::Live::wait_until(sub { $ready->() >= $n + $w }, 15), 'every worker reconnected');
    $redis = MSKanban::Live::Redis->new($port);
    sleep 0.5;
    my @ids = map { $redis->tick($board, 'T', qq({"n":"r$_"})) } 1 .. 3;
    for my $s (@all) {
        MSKanban::Live::wait_until(sub { @{ ids_of($s) } && ids_of($s)->[-1] eq $ids[-1] }, 10);
        my @ev = @{ $s->events };
        my ($resync) = grep { ($ev[$_]{event} // '') eq 'RESYNC' } 0 .. $#ev;
        ok(defined $resync, 'told to reload (RESYNC): the restart lost the history');
        my @after = grep { defined } map { $_->{id} } @ev[$resync .. $#ev];
        is_deeply(\@after, \@ids, 'then every tick since, once');
    }
    ok(!(grep { $_->done } @all), 'no stream was closed');
};

subtest 'resumed streams are authorized again within mskanban_redis_loss_recheck when the revocation log is gone' => sub {
    my $rc = MSKanban::Live::Nginx->new($t, name => 'recheck', workers => 1,
        http => { mskanban_redis_loss_recheck => '2s' });
    my @s = map { $rc->stream($live, user => $alice) } 1 .. 3;
    is($_->status, 200, 'streaming') for @s;
    sleep 0.3;
    # with the log, the worker would read what it missed instead (t/serial/94live-revoke-replay.t)
    $redis->cmd('DEL', 'mskanban:revoke:log');
    $redis->cmd('CLIENT', 'KILL', 'TYPE', 'pubsub');
    ok(MSKanban::Live::wait_until(sub { !grep { !$_->done } @s }, 6), 'closed within 2 s (and a tick)');
    ok(!(grep { $_->{error} } @s), 'cleanly');
    ok(!(grep { !defined $_->retry || $_->retry < 500 || $_->retry > 1000 } @s), 'after a jittered retry:');
    like($rc->log_text, qr/closed: expired/, 'as expired: the client comes back and is authorized');
    $rc->stop;
};

$_->close for @all;
$ng->stop;
unlike($ng->log_text, qr/exited on signal|\[(alert|emerg|crit)\]/, 'no crash, no alert');
done_testing;
