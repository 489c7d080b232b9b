#!/usr/bin/perl
# Limits of the live stream: a client that stops reading is cut off at
# mskanban_send_buffer (the others on the board are not held back), a worker takes at
# most mskanban_max_subscribers streams, heartbeats keep idle streams alive.
use strict;
use warnings;
use Test::More;
use Socket qw(SOL_SOCKET SO_RCVBUF);
use IO::Socket::INET;
use POSIX ();
use Time::HiRes qw(sleep time);
use MSKanban::Test;
use MSKanban::Live;

my $t = MSKanban::Test->new;
plan skip_all => 'the module was not built' unless -f ($t->env('MSKANBAN_MODULE') // '');

my $alice = $t->user;
my (undef, $board) = MSKanban::Live::board($t, $alice);
my $redis = MSKanban::Live::Redis->new($t->env('MSKANBAN_REDIS_PORT'));
my $live = "/api/boards/$board/live";

# one worker, so that the per-worker limit is exact; small socket buffers, so that a
# stalled client fills them quickly
my $ng = MSKanban::Live::Nginx->new($t, name => 'limits', workers => 1, listen => 'sndbuf=4k',
    http => { mskanban_max_subscribers => 3 },
    location => { mskanban_send_buffer => '16k', mskanban_heartbeat_interval => '1s' });

subtest 'a stalled client is disconnected; the others get everything' => sub {
    my $sock = IO::Socket::INET->new(Proto => 'tcp') or die $!;
    setsockopt($sock, SOL_SOCKET, SO_RCVBUF, 4096) or die $!;
    connect($sock, Socket::pack_sockaddr_in($ng->port, Socket::inet_aton('127.0.0.1'))) or die $!;
    print $sock "GET $live HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: mskanban_session=" . $alice->cookie . "\r\n\r\n";
    my $reader = $ng->stream($live, user => $alice);
    is($reader->status, 200, 'a reading client');
    sleep 0.3;
    # published by a child, while this process keeps reading the good client
    my $pid = fork // die;
    if (!$pid) {
        my $r = MSKanban::Live::Redis->new($t->env('MSKANBAN_REDIS_PORT'));
        my $pad = 'x' x 2000;
        for my $n (1 .. 300) {
            $r->tick($board, 'TEST_BULK', qq({"n":$n,"pad":"$pad"}));
            sleep 0.002;
        }
        POSIX::_exit(0);
    }
    ok($reader->wait_events(300, 20), 'the reading client got all 300 ticks');
    waitpid $pid, 0;
    like($ng->log_text, qr/client too slow/, 'the stalled client was cut off');
    # what it can still read ends, far short of everything
    $sock->blocking(0);
    my ($total, $eof) = (0, 0);
    my $deadline = time + 5;
    while (time < $deadline) {
        my $n = sysread($sock, my $buf, 65536);
        if (defined $n && $n == 0) { $eof = 1; last }
        if (!defined $n && !$!{EAGAIN}) { $eof = 1; last }
        $total += $n // 0;
        sleep 0.02 unless $n;
    }
    ok($eof, "its connection was closed after $total bytes");
    cmp_ok($total, '<', 300 * 2000 / 2, 'long before it got everything');
    $reader->close;
};

subtest 'mskanban_max_subscribers per worker' => sub {
    sleep 0.3;
    my @s = map { $ng->stream($live, user => $alice) } 1 .. 3;
    is($_->status, 200, 'within the limit') for @s;
    my $over = $ng->stream($live, user => $alice);
    is($over->status, 200, 'over the limit: 200, so that EventSource retries');
    ok($over->wait_done(5), 'ended at once');
    ok(defined $over->retry, 'with a retry: hint');
    ok($s[0]->wait_comments(1, 3), 'heartbeats on an idle stream');
    $s[0]->close;
    sleep 0.3;
    my $again = $ng->stream($live, user => $alice);
    is($again->status, 200, 'a slot freed');
    $_->close for @s[1, 2], $again;
};

subtest 'a board nobody watches is unsubscribed' => sub {
    sleep 0.3;
    my $n = $redis->cmd('PUBSUB', 'NUMSUB', "mskanban:board:$board")->[1];
    is($n, 0, 'no subscription left in Redis');
    my $s = $ng->stream($live, user => $alice);
    is($s->status, 200, 'open');
    ok(MSKanban::Live::wait_until(sub {
        $redis->cmd('PUBSUB', 'NUMSUB', "mskanban:board:$board")->[1] == 1 }, 3), 'one subscription per worker');
    $s->close;
};

$ng->stop;
unlike($ng->log_text, qr/\[(alert|emerg|crit)\]/, 'no alerts in the error log');
done_testing;
