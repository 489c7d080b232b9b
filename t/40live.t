#!/usr/bin/perl
# GET /api/boards/:id/live (ngx_http_mskanban_module): authorization by the core, ticks of
# REST mutations on every worker, Last-Event-ID replay without gaps or duplicates,
# revocations, two nginx hosts sharing one Redis, graceful reload. Each nginx here has
# worker_processes 2 and shares the test stack's Redis and FastCGI workers.
use strict;
use warnings;
use Test::More;
use POSIX ();
use Time::HiRes qw(sleep time);
use Mojo::JSON qw(decode_json);
use MSKanban::Test qw(envelope);
use MSKanban::Live;

my $t = MSKanban::Test->new;
plan skip_all => 'the module was not built' unless -f ($t->env('MSKANBAN_MODULE') // '');

my $alice = $t->user;
my $bob = $t->user;
my ($ws, $board) = MSKanban::Live::board($t, $alice);
my $redis = MSKanban::Live::Redis->new($t->env('MSKANBAN_REDIS_PORT'));
my $a = MSKanban::Live::Nginx->new($t, name => 'a');
my $live = "/api/boards/$board/live";

sub refused {
    my ($s, $status, $code, $name) = @_;
    is($s->status, $status, "$name: $status");
    $s->wait_done;
    my $json = $s->json;
    is($json && $json->{error}{code}, $code, "$name: $code") or diag($s->raw);
    like($s->type, qr{^application/json}, "$name: JSON");
}

subtest 'authorization comes from the core' => sub {
    refused($a->stream($live), 401, 'UNAUTHORIZED', 'anonymous');
    refused($a->stream($live, user => $bob), 404, 'NOT_FOUND', 'non-member');
    refused($a->stream('/api/boards/cnosuchboard0000000000000/live', user => $alice), 404, 'NOT_FOUND',
        'unknown board');
    refused($a->stream('/api/boards/NOT-AN-ID/live', user => $alice), 404, 'NOT_FOUND', 'malformed id');
    refused($a->stream($live, user => $alice, last_event_id => 'yesterday'), 400, 'BAD_REQUEST',
        'malformed Last-Event-ID');
    my $post = $t->client(base => $a->url)->post($live, undef, undef, { undocumented => 1 });
    is($post->{status}, 405, 'POST: 405');
    is($post->{json}{error}{code}, 'METHOD_NOT_ALLOWED', 'POST: JSON error');
};

subtest 'a REST mutation reaches every stream on both workers' => sub {
    my @s = map { $a->stream($live, user => $alice) } 1 .. 16;
    is($_->status, 200, 'stream open') for @s;
    like($s[0]->type, qr{^text/event-stream}, 'text/event-stream');
    ok(MSKanban::Live::wait_until(sub { !grep { !defined $_->retry } @s }, 5), 'retry hint first');
    is($s[0]->retry, 500, 'retry: mskanban_retry in ms');
    sleep 0.2;
    MSKanban::Live::touch_board($alice, $board);
    for my $s (@s) {
        ok($s->wait_events(1, 5), 'event arrived');
    }
    my $ev = $s[0]->events->[0];
    like($ev->{id}, qr/^\d+-\d+$/, 'id is the stream id');
    is($ev->{event}, decode_json($ev->{data})->{verb}, 'event is the verb');
    is(decode_json($ev->{data})->{boardId}, $board, 'data names the board');
    is_deeply([map { $_->ids } @s], [map { [$ev->{id}] } @s], 'one event each, the same');
    ok($s[0]->wait_comments(1, 3), 'heartbeat comment');
    $_->close for @s;
    sleep 0.3;
    my %pids = map { (split ' ')[0] => 1 } grep {m{ /api/boards/\S+/live}} split /\n/, $a->log_text('access.log');
    cmp_ok(scalar keys %pids, '>=', $ENV{MSKANBAN_VALGRIND} ? 1 : 2, 'streams were served by both workers')
        or diag(join ' ', keys %pids);
};

subtest 'Last-Event-ID replays what was missed, then goes live' => sub {
    my $s = $a->stream($live, user => $alice);
    is($s->status, 200, 'open');
    MSKanban::Live::touch_board($alice, $board);
    $s->wait_events(1, 5);
    my $last = $s->events->[-1]{id};
    $s->close;
    MSKanban::Live::touch_board($alice, $board) for 1 .. 3;
    my $missed = $redis->ids_after($board, $last);
    is(scalar @$missed, 3, 'three ticks missed');
    for my $how ('header', 'query') {
        my $want = $redis->ids_after($board, $last);
        my $r = $how eq 'header'
            ? $a->stream($live, user => $alice, last_event_id => $last)
            : $a->stream("$live?lastEventId=$last", user => $alice);
        is($r->status, 200, "$how: open");
        ok($r->wait_events(scalar @$want, 5), "$how: replayed");
        is_deeply($r->ids, $want, "$how: exactly the missed ticks, in order");
        my $id = $redis->tick($board, 'TEST_LIVE', '{"n":1}');
        ok($r->wait_events(@$want + 1, 5), "$how: then live");
        is($r->events->[-1]{id}, $id, "$how: the live tick");
        sleep 0.3;
        is(scalar @{ $r->events }, @$want + 1, "$how: nothing twice");
        $r->close;
    }
};

subtest 'RESYNC when the stream no longer holds what a client missed' => sub {
    my @ids = map { $redis->tick($board, 'TEST_TRIM', qq({"n":$_})) } 1 .. 5;
    $redis->cmd('XTRIM', "mskanban:board:$board:ticks", 'MAXLEN', 2);
    my $s = $a->stream($live, user => $alice, last_event_id => $ids[0]);
    is($s->status, 200, 'open');
    ok($s->wait_events(3, 5), 'events');
    is($s->events->[0]{event}, 'RESYNC', 'RESYNC first');
    ok(!defined $s->events->[0]{id}, 'without an id');
    is_deeply([map { $_->{id} } @{ $s->events }[1, 2]], [@ids[3, 4]], 'then what the stream holds');
    $s->close;
    my $ok = $a->stream($live, user => $alice, last_event_id => $ids[3]);
    ok($ok->wait_events(1, 5), 'from a retained id');
    is_deeply($ok->ids, [$ids[4]], 'no RESYNC, just the rest');
    $ok->close;
};

subtest 'no gap and no duplicate at the replay seam under load' => sub {
    my $first = $redis->tick($board, 'TEST_SEAM', '{"n":0}');
    my $pid = fork // die;
    if (!$pid) {
        my $r = MSKanban::Live::Redis->new($t->env('MSKANBAN_REDIS_PORT'));
        $r->tick($board, 'TEST_SEAM', qq({"n":$_})) for 1 .. 400;
        $r->tick($board, 'TEST_END', '{}');
        POSIX::_exit(0);
    }
    sleep 0.05;
    my @s = map { $a->stream($live, user => $alice, last_event_id => $first) } 1 .. 4;
    my $done = MSKanban::Live::wait_until(sub {
        !grep { !@{ $_->events } || $_->events->[-1]{event} ne 'TEST_END' } @s }, 30);
    waitpid $pid, 0;
    ok($done, 'every stream got to the end');
    my $want = $redis->ids_after($board, $first);
    is(scalar @$want, 401, '401 ticks after the first');
    for my $i (0 .. $#s) {
        is_deeply($s[$i]->ids, $want, "stream $i: every tick once, in order");
    }
    $_->close for @s;
};

subtest 'two nginx hosts sharing one Redis' => sub {
    my $b = MSKanban::Live::Nginx->new($t, name => 'b');
    my $sa = $a->stream($live, user => $alice);
    my $sb = $b->stream($live, user => $alice);
    is($sa->status, 200, 'stream on host a');
    is($sb->status, 200, 'stream on host b');
    sleep 0.2;
    for my $host ($a, $b) {
        my $n = @{ $sa->events } + 1;
        my $r = $t->client(base => $host->url . '/api')->patch("/boards/$board", { encName => envelope() },
            { Cookie => 'mskanban_session=' . $alice->cookie });
        is($r->{status}, 200, "mutation through host $host->{name}");
        ok($sa->wait_events($n, 5) && $sb->wait_events($n, 5), "both hosts delivered it");
        is($sa->events->[-1]{id}, $sb->events->[-1]{id}, 'the same tick');
    }
    $_->close for $sa, $sb;
    $b->stop;
};

subtest 'revocations close streams; the core then refuses them' => sub {
    # a second session of alice's, revoked from the first
    my $other = $t->client;
    my $login = $other->login($alice->email, $alice->{authHash});
    my $sid = $login->{json}{session}{id};
    my $s = $a->stream($live, user => $other);
    my $keep = $a->stream($live, user => $alice);
    is($s->status, 200, 'second session streams');
    sleep 0.2;
    is($alice->delete("/me/sessions/$sid")->{status}, 204, 'session revoked');
    ok($s->wait_done(5), 'its stream closed');
    refused($a->stream($live, user => $other), 401, 'UNAUTHORIZED', 'reconnect');
    ok(!$keep->done, 'the other session still streams');

    # a member removed from the workspace
    my $m = $alice->post("/workspaces/$ws/members", { userId => $bob->id, encWorkspaceKey => envelope(32) });
    is($m->{status}, 201, 'bob added') or diag($m->{body});
    my $sb = $a->stream($live, user => $bob);
    is($sb->status, 200, 'bob streams');
    sleep 0.2;
    is($alice->delete("/workspaces/$ws/members/" . $bob->id)->{status}, 204, 'bob removed');
    ok($sb->wait_done(5), "bob's stream closed");
    refused($a->stream($live, user => $bob), 404, 'NOT_FOUND', 'bob reconnects');
    ok(!$keep->done, "alice's stream is untouched");
    $keep->close;
};

subtest "the stack's nginx, configured with conf/nginx/mskanban-live.conf" => sub {
    my $s = MSKanban::Live::Stream->new($t->url . $live, user => $alice);
    is($s->status, 200, 'streams');
    ok(MSKanban::Live::wait_until(sub { defined $s->retry }, 5), 'retry hint');
    is($s->retry, 3000, 'the snippet\'s mskanban_retry');
    sleep 0.2;
    MSKanban::Live::touch_board($alice, $board);
    ok($s->wait_events(1, 5), 'a REST mutation arrives');
    is($s->events->[0]{event}, 'BOARD_UPDATED', 'as BOARD_UPDATED');
    $s->close;
    refused(MSKanban::Live::Stream->new($t->url . $live), 401, 'UNAUTHORIZED', 'anonymous');
};

subtest 'graceful reload closes streams cleanly; clients come back' => sub {
    plan skip_all => 'one process under valgrind' if $ENV{MSKANBAN_VALGRIND};
    my $s = $a->stream($live, user => $alice);
    is($s->status, 200, 'open');
    sleep 0.2;
    $a->reload;
    # closes are spread over 5 s (one per stream, at random), each after a new retry:
    ok($s->wait_done(8), 'closed by the old worker');
    ok(!$s->{error}, 'a clean end of stream') or diag(explain $s->{error});
    ok($s->retry >= 500 && $s->retry <= 1000, 'after a jittered retry: (' . $s->retry . ' ms)');
    sleep 0.5;
    my $r = $a->stream($live, user => $alice);
    is($r->status, 200, 'reconnected to a new worker');
    sleep 0.3;    # without Last-Event-ID, a stream starts once its worker subscribed
    my $id = $redis->tick($board, 'TEST_RELOAD', '{}');
    ok($r->wait_events(1, 5), 'and it is live');
    $r->close;
    unlike($a->log_text, qr/\[(alert|emerg|crit)\]/, 'no alerts in the error log');
};

subtest 'deleting a board tells its viewers, then closes their streams' => sub {
    my (undef, $doomed) = MSKanban::Live::board($t, $alice);
    my $s = $a->stream("/api/boards/$doomed/live", user => $alice);
    is($s->status, 200, 'streaming the board');
    sleep 0.3;
    is($alice->delete("/boards/$doomed")->{status}, 204, 'board deleted');
    ok($s->wait_done(5), 'the stream closed');
    is($s->events->[-1] && $s->events->[-1]{event}, 'BOARD_DELETED', 'after a BOARD_DELETED tick');
    refused($a->stream("/api/boards/$doomed/live", user => $alice), 404, 'NOT_FOUND', 'reconnect');
};

$a->stop;
done_testing;
