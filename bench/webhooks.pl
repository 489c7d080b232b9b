#!/usr/bin/perl
# Webhook figures (issue 14) against a test stack (MSKANBAN_TEST_STATE; bench/webhooks.sh
# brings one up): nginx on 127.0.0.2 as a receiver that answers 204 at once, then
#  1. deliveries per second: N deliveries queued in PostgreSQL while no runner runs, one
#     mskanban-jobs started, time from the first to the last arrival at the receiver and
#     until every attempt is recorded;
#  2. latency from a mutation's commit to the receiver: sequential PATCH /cards/:id with
#     the stack's runner idle, from the API's answer (after the commit) to the receiver's
#     log line, and from the request's start (an upper bound).
# Usage: perl -I t/lib bench/webhooks.pl [N]
use strict;
use warnings;
use Time::HiRes qw(time sleep);
use IO::Socket::IP;
use File::Temp qw(tempdir);
use Mojo::JSON qw(encode_json);
use MSKanban::Test;
use MSKanban::Kanban;

my $n = shift // 2000;
my $t = MSKanban::Test->new;
my $k = MSKanban::Kanban->new($t);
my $dbh = $t->dbh;
my $runner = $t->env('MSKANBAN_BUILD') . '/mskanban-jobs';
my $config = $t->env('MSKANBAN_CONFIG');

# --- the receiver: nginx on 127.0.0.2 ------------------------------------------------------
my $dir = tempdir(CLEANUP => 1);
my $port = IO::Socket::IP->new(LocalHost => '127.0.0.2', LocalPort => 0, Listen => 1)->sockport;
mkdir "$dir/$_" for qw(logs tmp);
open my $fh, '>', "$dir/nginx.conf" or die;
print {$fh} <<"CONF";
daemon on; worker_processes 1; pid $dir/nginx.pid; error_log $dir/logs/error.log;
events { worker_connections 1024; }
http {
  client_body_temp_path $dir/tmp/b; proxy_temp_path $dir/tmp/p; fastcgi_temp_path $dir/tmp/f;
  uwsgi_temp_path $dir/tmp/u; scgi_temp_path $dir/tmp/s;
  log_format d '\$msec \$http_x_mskanban_delivery_id';
  server { listen 127.0.0.2:$port; access_log $dir/logs/access.log d; location / { return 204; } }
}
CONF
close $fh;
system('/usr/sbin/nginx', '-p', $dir, '-c', "$dir/nginx.conf") == 0 or die 'nginx did not start';
END { system('/usr/sbin/nginx', '-p', $dir, '-c', "$dir/nginx.conf", '-s', 'stop') if $dir && -f "$dir/nginx.pid" }
my $arrivals = sub {
    open my $l, '<', "$dir/logs/access.log" or return [];
    return [ map { [split ' '] } grep { /\n\z/ } <$l> ];
};

my $alice = $t->user;
my $ws = $k->workspace($alice)->{id};
my $board = $k->board($alice, $ws)->{id};
my $col = $k->column($alice, $board)->{id};
my $card = $k->card($alice, $col)->{id};
my $url = "http://127.0.0.2:$port/hook";

# --- 1. throughput ------------------------------------------------------------------------
$t->stack('stop-jobs');
my $hook = $alice->post("/boards/$board/webhooks", { url => $url, events => ['X_BENCH'] })->{json}{webhook}{id};
my $payload = encode_json({ verb => 'CARD_UPDATED', boardId => $board, cardId => $card, actorId => $alice->id,
    timestamp => '2026-11-30T00:00:00.000Z', metadata => { targetType => 'card', targetId => $card, fields => ['encTitle'] } });
$dbh->do(q{INSERT INTO webhook_deliveries (id, webhook_id, activity_id, verb, payload)
           SELECT msk_ulid(), ?, 'bench', 'CARD_UPDATED', ? FROM generate_series(1, ?)}, undef, $hook, $payload, $n);
my $t0 = time;
my $pid = fork // die;
if (!$pid) { open STDOUT, '>', '/dev/null'; open STDERR, '>&', \*STDOUT; { exec { $runner } $runner, '-c', $config } require POSIX; POSIX::_exit(127) }
my $done = 0;
while ($done < $n && time < $t0 + 300) {
    $done = $dbh->selectrow_array(q{SELECT count(*) FROM webhook_deliveries WHERE webhook_id = ? AND state = 'delivered'}, undef, $hook);
    sleep 0.05;
}
my $t1 = time;
kill 'TERM', $pid;
waitpid $pid, 0;
my $arr = $arrivals->();
my ($first, $last) = ($arr->[0][0], $arr->[-1][0]);
printf "throughput: %d deliveries, %d arrived; first to last arrival %.2f s = %.0f deliveries/s; start to all recorded %.2f s = %.0f/s (jobs_concurrency from the config)\n",
    $n, scalar @$arr, $last - $first, (@$arr - 1) / ($last - $first), $t1 - $t0, $n / ($t1 - $t0);
$alice->delete("/webhooks/$hook");

# --- 2. commit-to-receiver latency ----------------------------------------------------------
$t->stack('start-jobs');
sleep 1;
$hook = $alice->post("/boards/$board/webhooks", { url => $url, events => ['CARD_UPDATED'] })->{json}{webhook}{id};
my $users = [ map { my $u = $t->user; $k->invite($alice, $ws, $u, 'member'); $u } 1 .. 5 ];
my (@after_answer, @after_start);
for my $i (1 .. 50) {
    my $seen = @{ $arrivals->() };
    my $u = $users->[ $i % @$users ];
    my $s = time;
    my $r = $u->patch("/cards/$card", { encTitle => envelope() });
    my $e = time;
    die "patch failed: $r->{status}" unless $r->{status} == 200;
    my $deadline = $e + 5;
    my $list;
    sleep 0.001 while @{ $list = $arrivals->() } <= $seen && time < $deadline;
    my $arrived = $list->[-1][0];
    push @after_answer, ($arrived - $e) * 1000;
    push @after_start, ($arrived - $s) * 1000;
    sleep 0.1;
}
my $pct = sub { my ($p, @v) = @_; @v = sort { $a <=> $b } @v; $v[ int($p * $#v + 0.5) ] };
printf "latency (ms, 50 sequential mutations): answer->receiver (negative: it arrived before the answer) median %.1f p95 %.1f max %.1f; request start->receiver median %.1f p95 %.1f\n",
    $pct->(0.5, @after_answer), $pct->(0.95, @after_answer), $pct->(1, @after_answer), $pct->(0.5, @after_start), $pct->(0.95, @after_start);
$alice->delete("/webhooks/$hook");
