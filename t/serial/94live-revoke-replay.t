#!/usr/bin/perl
# Revocations survive Redis loss (issue 15; serial: it cuts the module off, stops and
# restarts the stack's Redis). The core appends every revocation to mskanban:revoke:log
# and publishes it with its "streamId"; a worker that lost its subscriber connection reads
# the log after the newest id it was sent and applies what it missed, so no stream has to
# be re-checked: the revoked session's streams close, the others stay open. A revocation
# made while Redis is down is held by the core and published when Redis is back. Only a
# log that cannot cover the gap (gone or trimmed) re-checks every stream
# (mskanban_redis_loss_recheck).
# The test stack's Redis has no persistence (scripts/stack: `save ""`, `appendonly no`);
# the restart here keeps its data with a SAVE just before the stop (Redis loads dump.rdb
# at start), as a persistent Redis would, and removes the dump afterwards.
use strict;
use warnings;
use Test::More;
use Time::HiRes qw(sleep time);
use MSKanban::Test;
use MSKanban::Live;

my $t = MSKanban::Test->new;
$t->wait_healthy;    # earlier serial tests restart services
plan skip_all => 'the module was not built' unless -f ($t->env('MSKANBAN_MODULE') // '');

my $LOG = 'mskanban:revoke:log';
my $REVOKE = <<'LUA';    # src/sessions.cpp, kRevokeScript
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', 10000, '*', 'data', ARGV[1])
redis.call('PUBLISH', KEYS[2], string.sub(ARGV[1], 1, -2) .. ',"streamId":"' .. id .. '"}')
return id
LUA
my $recheck = 3;     # seconds
my $alice = $t->user;
my (undef, $board) = MSKanban::Live::board($t, $alice);
my $ng = MSKanban::Live::Nginx->new($t, name => 'revlog', workers => 2,
    http => { mskanban_redis_ping_timeout => '1s', mskanban_redis_reconnect_max => '500ms',
              mskanban_redis_loss_recheck => "${recheck}s" });
my $live = "/api/boards/$board/live";
my $port = $t->env('MSKANBAN_REDIS_PORT');
my $redis = MSKanban::Live::Redis->new($port);
my $w = $ng->{workers};    # 1 under valgrind
my $ready = sub { scalar(() = $ng->log_text =~ /redis subscriber connection .* ready/g) };
my $count = sub { my ($re) = @_; scalar(() = $ng->log_text =~ /$re/g) };

# another session of alice's, with streams of its own
sub session {
    my $c = $t->client;
    $c->login($alice->email, $alice->{authHash});
    return $c;
}

sub streams {
    my ($user, $n) = @_;
    my @s = map { $ng->stream($live, user => $user) } 1 .. $n;
    is($_->status, 200, 'streaming') for @s;
    return @s;
}

sub last_id { my ($s) = @_; my @ids = grep { defined } map { $_->{id} } @{ $s->events }; $ids[-1] // '' }

# every open stream of @s gets a new tick
sub all_get_a_tick {
    my (@s) = @_;
    my $id = $redis->tick($board, 'T', '{"n":"' . time . '"}');
    return MSKanban::Live::wait_until(sub { !grep { last_id($_) ne $id } @s }, 10);
}

my @keep = streams($alice, 3);
MSKanban::Live::wait_until(sub { !grep { !$_->comments } @keep }, 5);
sleep 0.3;

subtest 'a live revocation carries its log id' => sub {
    my $s2 = session();
    my @s = streams($s2, 2);
    is($alice->delete("/me/sessions/$s2->{session_id}")->{status}, 204, 'revoked');
    ok(MSKanban::Live::wait_until(sub { !grep { !$_->done } @s }, 5), 'its streams closed');
    my $last = $redis->cmd('XREVRANGE', $LOG, '+', '-', 'COUNT', 1)->[0];
    my %f = @{ $last->[1] };
    like($f{data}, qr/"type":"session","sessionId":"\Q$s2->{session_id}\E"/, 'the core appended it to the log');
    ok(!(grep { $_->done } @keep), 'the other streams are open');
};

subtest 'a revocation published while the module is cut off is replayed from the log' => sub {
    my $s3 = session();
    my @gone = streams($s3, 2);
    my $n = $ready->();
    my $covered = $count->(qr/revocation log covered the redis loss: 1 revocations applied/);
    # Redis stays up but refuses the module's new connections: the subscriber connections
    # are dropped and cannot come back until the password is right again.
    my $pw = $ENV{REDISCLI_AUTH} // '';
    $redis->cmd('CONFIG', 'SET', 'requirepass', 'not-the-password');
    my $restore = MSKanban::Test::Guard->new(sub { $redis->cmd('CONFIG', 'SET', 'requirepass', $pw) });
    $redis->cmd('CLIENT', 'KILL', 'TYPE', 'pubsub');
    sleep 0.5;
    # what the core does on a revocation (src/sessions.cpp, kRevokeScript), from here, so it
    # is published now, while no worker is subscribed
    my $json = qq({"type":"session","sessionId":"$s3->{session_id}","userId":"@{[ $alice->id ]}"});
    $redis->cmd('EVAL', $REVOKE, 2, $LOG, 'mskanban:revoke', $json);
    sleep 0.5;
    ok(!(grep { $_->done } @gone), 'missed while cut off');
    undef $restore;
    ok(MSKanban::Live::wait_until(sub { $ready->() >= $n + $w }, 10), 'every worker reconnected');
    ok(MSKanban::Live::wait_until(sub { !grep { !$_->done } @gone }, 5), "the revoked session's streams closed");
    ok(MSKanban::Live::wait_until(sub { $count->(qr/revocation log covered the redis loss: 1 revocations applied/) > $covered }, 5),
        'read back from the log (logged)');
    sleep $recheck + 1.2;
    ok(!(grep { $_->done } @keep), 'the others stayed open past mskanban_redis_loss_recheck');
    ok(all_get_a_tick(@keep), 'and get ticks');
};

subtest 'Redis restarted (with its data): a session revoked while it was down' => sub {
    my $s4 = session();
    my @gone = streams($s4, 2);
    sleep 0.3;
    my $before = last_id($keep[0]);
    my $n = $ready->();
    $redis->cmd('SAVE');    # what appendonly/save would have kept
    $t->stack('stop-redis');
    my $r = $alice->delete("/me/sessions/$s4->{session_id}");
    is($r->{status}, 204, 'the core revokes while Redis is down');
    sleep 0.5;
    ok(!(grep { $_->done } @keep, @gone), 'Redis away: the streams stay open');
    $t->stack('start-redis');
    $redis = MSKanban::Live::Redis->new($port);
    ok(MSKanban::Live::wait_until(sub { $ready->() >= $n + $w }, 15), 'every worker reconnected');
    # the core publishes what it held on its next Redis command (a mutation publishes a
    # tick); the held notice is in one of the stack's FastCGI processes, so ask until done
    my $asked = 0;
    ok(MSKanban::Live::wait_until(sub {
        if (time - $asked > 0.5) { MSKanban::Live::touch_board($alice, $board); $asked = time }
        !grep { !$_->done } @gone }, 10),
        "the revoked session's streams closed");
    my @log = map { { @{ $_->[1] } }->{data} // '' } @{ $redis->cmd('XRANGE', $LOG, '-', '+') };
    ok((grep { /"sessionId":"\Q$s4->{session_id}\E"/ } @log), 'the held revocation is in the log');
    sleep $recheck + 1.2;
    ok(!(grep { $_->done } @keep), 'no other stream was closed (none re-checked)');
    ok(all_get_a_tick(@keep), 'and they get ticks');
    my @ids = grep { defined } map { $_->{id} } @{ $keep[0]->events };
    my ($at) = grep { $ids[$_] eq $before } 0 .. $#ids;
    is_deeply([@ids[$at + 1 .. $#ids]], $redis->ids_after($board, $before), 'every tick since, once');
    unlink "$t->{state}/redis/dump.rdb";
};

subtest 'the log cannot cover the gap: every stream is re-checked' => sub {
    my $n = $ready->();
    my $missed = $count->(qr/revocations may have been missed while redis was away/);
    $redis->cmd('DEL', $LOG);
    $redis->cmd('CLIENT', 'KILL', 'TYPE', 'pubsub');
    ok(MSKanban::Live::wait_until(sub { $ready->() >= $n + $w }, 10), 'every worker reconnected');
    ok(MSKanban::Live::wait_until(sub { $count->(qr/revocations may have been missed while redis was away/) >= $missed + $w }, 5),
        'logged');
    ok(MSKanban::Live::wait_until(sub { !grep { !$_->done } @keep }, $recheck + 3), "closed within ${recheck} s (and a tick)");
    ok(!(grep { !defined $_->retry } @keep), 'after a retry:');
};

unlink "$t->{state}/redis/dump.rdb";
$_->close for @keep;
$ng->stop;
unlike($ng->log_text, qr/exited on signal|\[(alert|emerg|crit)\]/, 'no crash, no alert');
done_testing;

package MSKanban::Test::Guard;
sub new { my ($c, $f) = @_; bless { f => $f }, $c }
sub DESTROY { $_[0]{f}->() }
