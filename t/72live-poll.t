#!/usr/bin/perl
# GET /api/boards/:id/live/poll: the long-poll the FastCGI workers serve where the nginx
# module cannot load (src/live_poll.cpp). Same ids as the SSE stream, no tick lost across
# polls, an answer at once when ticks wait and a bounded wait otherwise, RESYNC when the
# stream lost what the client missed, and the same authorization as other board reads.
# Through the stack's nginx: the module's location is /live exactly, so /live/poll
# reaches the workers there too (t/70apache.t and t/71lighttpd.t poll through those).
use strict;
use warnings;
use Test::More;
use Time::HiRes qw(time sleep);
use MSKanban::Test qw(envelope);
use MSKanban::Live;

my $t = MSKanban::Test->new;
my ($alice, $bob) = ($t->user, $t->user);
my ($ws, $board) = MSKanban::Live::board($t, $alice);
my $redis = MSKanban::Live::Redis->new($t->env('MSKANBAN_REDIS_PORT'));
my $poll = "/boards/$board/live/poll";

sub timed { my $t0 = time; my $r = $_[0]->(); return ($r, time - $t0) }

subtest 'authorization and bad input' => sub {
    $t->error_is($t->client->get($poll), 401, 'UNAUTHORIZED', 'anonymous');
    $t->error_is($bob->get($poll), 404, 'NOT_FOUND', 'non-member');
    $t->error_is($alice->get('/boards/cnosuchboard0000000000000/live/poll'), 404, 'NOT_FOUND', 'unknown board');
    $t->error_is($alice->get('/boards/NOT-AN-ID/live/poll'), 404, 'NOT_FOUND', 'malformed board id');
    $t->error_is($alice->get("$poll?lastEventId=yesterday"), 400, 'BAD_REQUEST', 'malformed lastEventId');
    $t->error_is($alice->get("$poll?lastEventId=1-2-3"), 400, 'BAD_REQUEST', 'lastEventId with two dashes');
    $t->error_is($alice->get("$poll?wait=soon"), 400, 'BAD_REQUEST', 'malformed wait');
    my ($r, $took) = timed(sub { $bob->get("$poll?wait=5") });
    cmp_ok($took, '<', 1.5, 'a non-member is refused before any wait');
};

subtest 'from now on: the cursor is the stream end, the wait is bounded' => sub {
    MSKanban::Live::touch_board($alice, $board);
    my ($r, $took) = timed(sub { $alice->get("$poll?wait=1") });
    $t->ok_status($r, 200, 'poll without a cursor');
    is($r->{headers}{'X-MSKanban-Live'}, 'poll', 'X-MSKanban-Live: poll');
    is_deeply($r->{json}{events}, [], 'nothing older is replayed');
    my $end = $redis->cmd('XREVRANGE', "mskanban:board:$board:ticks", '+', '-', 'COUNT', 1)->[0][0];
    is($r->{json}{lastEventId}, $end, 'cursor is the last stream id');
    ok(!$r->{json}{resync}, 'no resync');
    cmp_ok($took, '>=', 0.9, 'waited about the second asked for');
    cmp_ok($took, '<', 2.5, '... and no longer');
    ($r, $took) = timed(sub { $alice->get("$poll?wait=99&lastEventId=$end") });
    $t->ok_status($r, 200, 'a longer wait than the server allows');
    cmp_ok($took, '<', 7, 'capped by live_poll_wait_ms (5 s)');
    cmp_ok($took, '>=', 4.5, 'the default cap is 5 s');
    ($r, $took) = timed(sub { $alice->get("$poll?wait=0&lastEventId=$end") });
    cmp_ok($took, '<', 1, 'wait=0 answers at once');
};

subtest 'ticks waiting are answered at once, with the stream ids' => sub {
    my $from = $alice->get("$poll?wait=0")->{json}{lastEventId};
    MSKanban::Live::touch_board($alice, $board) for 1 .. 3;
    my ($r, $took) = timed(sub { $alice->get("$poll?wait=5&lastEventId=$from") });
    $t->ok_status($r, 200, 'poll after three mutations');
    cmp_ok($took, '<', 1.5, 'at once');
    my @ids = map { $_->{id} } @{ $r->{json}{events} };
    is_deeply(\@ids, $redis->ids_after($board, $from), 'the ids the SSE stream carries, in order');
    is(scalar @ids, 3, 'three ticks');
    is($r->{json}{events}[0]{event}, 'BOARD_UPDATED', 'event is the verb');
    is($r->{json}{events}[0]{data}{boardId}, $board, 'data is the tick metadata');
    is($r->{json}{events}[0]{data}{verb}, 'BOARD_UPDATED', 'data carries the verb');
    is($r->{json}{lastEventId}, $ids[-1], 'cursor is the last id returned');
};

subtest 'a tick during the wait ends it early' => sub {
    my $from = $alice->get("$poll?wait=0")->{json}{lastEventId};
    my $pid = fork // die;
    if (!$pid) { sleep 0.8; MSKanban::Live::touch_board($alice, $board); POSIX::_exit(0) }
    my ($r, $took) = timed(sub { $alice->get("$poll?wait=5&lastEventId=$from") });
    waitpid $pid, 0;
    is(scalar @{ $r->{json}{events} }, 1, 'the tick arrived');
    cmp_ok($took, '>=', 0.5, 'after waiting for it');
    cmp_ok($took, '<', 3, 'well before the wait ran out');
};

subtest 'no tick lost across polls while mutations run' => sub {
    my $from = $alice->get("$poll?wait=0")->{json}{lastEventId};
    my $writer = $t->client;
    my $pid = fork // die;
    if (!$pid) {
        for (1 .. 30) { MSKanban::Live::touch_board($alice, $board); sleep rand 0.05 }
        POSIX::_exit(0);
    }
    my ($cursor, @seen) = ($from);
    my $deadline = time + 30;
    while (time < $deadline) {
        my $r = $alice->get("$poll?wait=1&lastEventId=$cursor");
        last unless $r->{status} == 200;
        push @seen, map { $_->{id} } @{ $r->{json}{events} };
        $cursor = $r->{json}{lastEventId};
        last if waitpid($pid, POSIX::WNOHANG()) == $pid && !@{ $r->{json}{events} };
    }
    is_deeply(\@seen, $redis->ids_after($board, $from), 'every id exactly once, in order');
    is(scalar @seen, 30, 'all thirty ticks');
};

subtest 'RESYNC when the stream lost what the client missed' => sub {
    my $key = "mskanban:board:$board:ticks";
    my $r = $alice->get("$poll?wait=0&lastEventId=1-0");
    $t->ok_status($r, 200, 'a cursor older than the stream');
    ok($r->{json}{resync}, 'resync');
    is_deeply($r->{json}{events}, [], 'no events with it');
    my $end = $r->{json}{lastEventId};
    like($end, qr/^[1-9]\d*-\d+$/, 'cursor moves to the stream end');
    $r = $alice->get("$poll?wait=0&lastEventId=$end");
    ok(!$r->{json}{resync}, 'polling on from there: no resync');
    $r = $alice->get("$poll?wait=0&lastEventId=99999999999999-0");
    ok($r->{json}{resync}, 'a cursor this stream never gave: resync');
    $redis->cmd('DEL', $key);    # as after a Redis restart without persistence
    $r = $alice->get("$poll?wait=0&lastEventId=$end");
    ok($r->{json}{resync}, 'stream gone: resync');
    is($r->{json}{lastEventId}, '0-0', 'cursor 0-0: the stream is empty');
    my $took;
    ($r, $took) = timed(sub { $alice->get("$poll?wait=1&lastEventId=0-0") });
    ok(!$r->{json}{resync}, 'still empty with 0-0: no resync loop');
    cmp_ok($took, '>=', 0.9, 'it waits');
    MSKanban::Live::touch_board($alice, $board);
    $r = $alice->get("$poll?wait=2&lastEventId=0-0");
    is(scalar @{ $r->{json}{events} }, 1, 'the first tick of the new stream');
    ok(!$r->{json}{resync}, 'without resync');
};

subtest 'a member removed is refused' => sub {
    my $carol = $t->user;
    my $m = $alice->post("/workspaces/$ws/members",
        { userId => $carol->id, encWorkspaceKey => MSKanban::Test::random_b64(106), role => 'viewer' });
    is($m->{status}, 201, 'invited as viewer') or diag $m->{body};
    $t->ok_status($carol->get("$poll?wait=0"), 200, 'a viewer may poll');
    my $d = $alice->delete("/workspaces/$ws/members/" . $carol->id);
    ok($d->{status} == 204 || $d->{status} == 200, 'removed') or diag $d->{body};
    $t->error_is($carol->get("$poll?wait=0"), 404, 'NOT_FOUND', 'then 404');
};

done_testing;
