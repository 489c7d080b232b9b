#!/usr/bin/perl
# Back-pressure of the live stream (issue 15): every queued frame counts against
# mskanban_send_buffer, not only its payload bytes, so subscribers that never read are
# closed even when the ticks are tiny, and what the worker holds for each stays within
# the cap; a refused stream is a 200 that carries only `retry:` and ends, so a browser's
# EventSource tries again instead of giving up.
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
my $live = "/api/boards/$board/live";
my $cap = 32 * 1024;
my $stalled = 20;

my $ng = MSKanban::Live::Nginx->new($t, name => 'backpressure', workers => 1, listen => 'sndbuf=4k',
    http => { mskanban_max_subscribers => $stalled + 1 },
    location => { mskanban_send_buffer => '32k', mskanban_heartbeat_interval => '1s' });

subtest 'subscribers that never read are closed at the cap, tiny ticks or not' => sub {
    my @socks;
    for (1 .. $stalled) {
        my $sock = IO::Socket::INET->new(Proto => 'tcp') or die $!;
        setsockopt($sock, SOL_SOCKET, SO_RCVBUF, 4096) or die $!;
        connect($sock, Socket::pack_sockaddr_in($ng->port, Socket::inet_aton('127.0.0.1'))) or die $!;
        print $sock "GET $live HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: mskanban_session=" . $alice->cookie . "\r\n\r\n";
        push @socks, $sock;
    }
    my $reader = $ng->stream($live, user => $alice);
    is($reader->status, 200, 'a reading client');
    sleep 0.5;
    # 500 ticks of ~50 bytes: their SSE bytes (~24 KiB) fit under the 32 KiB cap; with
    # what each queued frame costs the worker besides (~170 bytes) they do not
    my $n = 500;
    my $pid = fork // die;
    if (!$pid) {
        my $r = MSKanban::Live::Redis->new($t->env('MSKANBAN_REDIS_PORT'));
        for my $i (1 .. $n) {
            $r->tick($board, 'T', qq({"n":$i}));
            sleep 0.0005 unless $i % 50;
        }
        POSIX::_exit(0);
    }
    ok($reader->wait_events($n, 30), "the reading client got all $n ticks");
    waitpid $pid, 0;
    my @slow = $ng->log_text =~ /client too slow, (\d+) bytes not yet taken/g;
    is(scalar @slow, $stalled, "all $stalled stalled clients were cut off");
    ok(!(grep { $_ > $cap } @slow), 'each holding no more than mskanban_send_buffer (' . join(',', sort { $a <=> $b } @slow) . ')');
    my $eof = 0;
    for my $sock (@socks) {
        $sock->blocking(0);
        my $deadline = time + 5;
        while (time < $deadline) {
            my $r = sysread($sock, my $buf, 65536);
            if ((defined $r && $r == 0) || (!defined $r && !$!{EAGAIN})) { $eof++; last }
            sleep 0.02 unless $r;
        }
    }
    is($eof, $stalled, 'and their connections ended');
    $reader->close;
};

subtest 'over mskanban_max_subscribers: 200, retry: and the end, so EventSource retries' => sub {
    sleep 0.3;
    my @s = map { $ng->stream($live, user => $alice) } 1 .. $stalled + 1;
    is($_->status, 200, 'within the limit') for @s[0, -1];
    ok($s[-1]->wait_comments(1, 3), 'the last one in is streaming');
    my $over = $ng->stream($live, user => $alice);
    is($over->status, 200, 'over the limit: 200');
    like($over->type, qr{^text/event-stream}, 'an event stream');
    ok($over->wait_done(5), 'that ends at once');
    ok(!$over->{error}, 'cleanly');
    my $retry = $over->retry;
    ok(defined $retry && $retry >= 500 && $retry <= 1000, "with a jittered retry: ($retry ms, from mskanban_retry 500ms)");
    is(scalar @{ $over->events }, 0, 'and no event');
    like($ng->log_text, qr/live stream deferred \(too many live streams\)/, 'logged');
    $_->close for @s;
};

subtest 'ticks go out in slices (mskanban_delivery_slice), in order, once' => sub {
    my $sl = MSKanban::Live::Nginx->new($t, name => 'slices', workers => 1,
        http => { mskanban_delivery_slice => 2 });
    my @s = map { $sl->stream($live, user => $alice) } 1 .. 7;
    is($_->status, 200, 'streaming') for @s[0, -1];
    MSKanban::Live::wait_until(sub { !grep { !defined $_->retry } @s }, 5);
    sleep 0.3;
    my $redis = MSKanban::Live::Redis->new($t->env('MSKANBAN_REDIS_PORT'));
    my @ids;
    for my $i (1 .. 60) {
        push @ids, $redis->tick($board, 'T', qq({"n":$i}));
        if ($i == 30) { $s[3]->close; splice @s, 3, 1 }    # one leaves half-way
    }
    ok(MSKanban::Live::wait_until(sub { !grep { @{ $_->events } < 60 } @s }, 10), 'every stream got every tick');
    is_deeply($_->ids, \@ids, 'in order, each once') for @s;
    $_->close for @s;
    $sl->stop;
    unlike($sl->log_text, qr/\[(alert|emerg|crit)\]/, 'no alerts');
};

$ng->stop;
unlike($ng->log_text, qr/\[(alert|emerg|crit)\]/, 'no alerts in the error log');
done_testing;
