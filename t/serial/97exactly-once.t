# Exactly-once under worker crashes (issue 16). 1) A worker killed right after COMMIT,
# before it answers (the test-only hook, config test_fault_injection): the retry with
# the same Idempotency-Key gets the stored answer and exactly one row exists. 2) Clients
# create and move cards with a key on every mutation, retrying with the same key on any
# error, while workers are killed with SIGKILL again and again (the supervisor restarts
# them), and every other interval one request crashes its worker right after COMMIT:
# every acknowledged write is stored once, and nothing else is.
# MSKANBAN_FAULT_KILLS (default 6), MSKANBAN_FAULT_INTERVAL (seconds between kills,
# default 5.5), MSKANBAN_FAULT_CLIENTS (default 16) and MSKANBAN_FAULT_PAUSE (seconds
# between a client's create+move pairs, default 2) scale it; bench/faults.sh runs it on
# a stack without rate limits, at full speed.
use strict;
use warnings;
use Test::More;
use Time::HiRes qw(sleep time);
use Mojo::IOLoop;
use Mojo::Promise;
use MSKanban::Test;
use MSKanban::Kanban;

my $t = MSKanban::Test->new;
$t->wait_healthy;
my $pidfile = $t->env('MSKANBAN_FCGI_SUPERVISOR_PID') or plan skip_all => 'stack without a supervisor';
open my $fh, '<', $pidfile or plan skip_all => "no $pidfile";
chomp(my $sup = <$fh>);
sub workers { my @p = split ' ', `pgrep -P $sup`; return @p }
my $want_workers = scalar workers();
sub wait_workers { for (1 .. 100) { return if workers() >= $want_workers; sleep 0.1 } }

my $k = MSKanban::Kanban->new($t);
my $u = $t->user;
my $ws = $k->workspace($u)->{id};
my $board1 = $k->board($u, $ws)->{id};
my $c1 = $k->column($u, $board1)->{id};
my $c2 = $k->column($u, $board1)->{id};
my $count = sub { $t->count_rows(@_) };

# A request outside the response checks (a killed worker gets nginx's 502).
sub raw {
    my ($c, $method, $path, $body, $headers) = @_;
    my $tx = $c->ua->start($c->_tx($method, $path, $body, $headers));
    return ($tx->res->code // 0, $tx->res->json, $tx->res->headers->header('Idempotent-Replayed'));
}

# --- 1. killed between COMMIT and the response --------------------------------------------
my $key = 'crash-' . MSKanban::Test::random_b64(8);
my $body = { encTitle => MSKanban::Test::envelope() };
my ($st) = raw($u, POST => "/columns/$c1/cards", $body,
    { 'Idempotency-Key' => $key, 'X-MSKanban-Test-Fault' => 'crash-after-commit' });
ok($st >= 500 || $st == 0, "the worker died before answering ($st)");
is($count->('SELECT 1 FROM cards WHERE column_id = $1', $c1), 1, 'the card was committed');
wait_workers();
my ($st2, $json, $replayed);
for (1 .. 20) { ($st2, $json, $replayed) = raw($u, POST => "/columns/$c1/cards", $body, { 'Idempotency-Key' => $key }); last if $st2 < 500; sleep 0.2 }
is($st2, 201, 'the retry with the same key answers 201');
is($replayed, 'true', 'from the stored response');
is($count->('SELECT 1 FROM cards WHERE column_id = $1', $c1), 1, 'exactly one card');
is($json->{card}{id}, $t->dbh->selectrow_array('SELECT id FROM cards WHERE column_id = ?', undef, $c1), 'the stored answer names it');

# --- 2. repeated kill -9 under load ---------------------------------------------------------
# One user (and board) per client, so the per-user mutation limit is not what is tested.
my $kills = $ENV{MSKANBAN_FAULT_KILLS} // 6;
my $interval = $ENV{MSKANBAN_FAULT_INTERVAL} // 5.5;
my $pause = $ENV{MSKANBAN_FAULT_PAUSE} // 2;
my $nclients = $ENV{MSKANBAN_FAULT_CLIENTS} // 16;
my (%acked_create, %acked_move);
my ($attempts, $errors, $done_kills) = (0, 0, 0);
my %failed;    # status (0 = no answer) => count
my ($arm_crash, $crashes) = (0, 0);    # every other tick: one request crashes its worker after COMMIT
my $running = 1;

# One logical request: retried with the same key until it is answered (not 5xx, not a
# lost connection; a 429 waits and retries too).
sub until_answered {
    my ($c, $method, $path, $body, $key, $tries) = @_;
    $attempts++;
    my $again = sub {
        my $wait = shift;
        $errors++;
        die "gave up on $key\n" if $tries > 100;
        return Mojo::Promise->timer($wait)->then(sub { until_answered($c, $method, $path, $body, $key, $tries + 1) });
    };
    my %h = ('Idempotency-Key' => $key);
    if ($arm_crash && !$tries) { $arm_crash = 0; $crashes++; $h{'X-MSKanban-Test-Fault'} = 'crash-after-commit' }
    return $c->ua->start_p($c->_tx($method, $path, $body, \%h))->then(sub {
        my $code = $_[0]->res->code // 0;
        $failed{$code}++ if !$code || $code >= 429;
        return $again->(1) if $code == 429;
        return $_[0]->res if $code && $code < 500;
        return $again->(0.1);
    }, sub { $failed{0}++; $again->(0.1) });
}

sub client_loop {
    my ($cl) = @_;
    return Mojo::Promise->resolve unless $running;
    my ($c, $from, $to) = @$cl{qw(c from to)};
    my $ck = 'load-' . MSKanban::Test::random_b64(12);
    return until_answered($c, POST => "/columns/$from/cards", { encTitle => MSKanban::Test::envelope() }, "$ck-c", 0)->then(sub {
        my $res = shift;
        die 'create answered ' . $res->code . ' ' . $res->body . "\n" unless $res->code == 201;
        my $id = $res->json->{card}{id};
        $acked_create{$id}++;
        return until_answered($c, PATCH => "/cards/$id/move", { toColumnId => $to }, "$ck-m", 0)->then(sub {
            my $r = shift;
            die 'move answered ' . $r->code . ' ' . $r->body . "\n" unless $r->code == 200;
            $acked_move{$id}++;
            # Stay under the per-user mutation limit (60/min): about one request a second,
            # unless the stack's limit was raised (bench/faults.sh).
            return Mojo::Promise->timer($pause)->then(sub { client_loop($cl) });
        });
    });
}

my @clients = map {
    my $c = $t->user;
    my $board = $k->board($c, $k->workspace($c)->{id})->{id};
    { c => $c, board => $board, from => $k->column($c, $board)->{id}, to => $k->column($c, $board)->{id} };
} 1 .. $nclients;
my @boards = map { $_->{board} } @clients;
my $started = time;
# The oldest worker each time, and not faster than multiwatch's restart budget allows
# (it stops restarting a child that dies 3 times within 10 s of its start).
my $killer = Mojo::IOLoop->recurring($interval => sub {
    return unless $running;
    if ($done_kills > $crashes) { $arm_crash = 1; return }
    my @w = sort { $a <=> $b } workers();
    if (@w && kill('KILL', $w[0])) { $done_kills++ }
    $running = 0 if $done_kills >= $kills;
});
my $failure;
Mojo::Promise->all(map { client_loop($_) } @clients)->catch(sub { $failure = shift; $running = 0 })->wait;
Mojo::IOLoop->remove($killer);
my $elapsed = time - $started;
wait_workers();

my $in = 'board_id = ANY($1)';
ok(!$failure, 'every logical request was answered') or diag $failure;
my $acked = keys %acked_create;
my $stored_cards = $count->("SELECT 1 FROM cards WHERE $in", \@boards);
my $moves = $count->("SELECT 1 FROM activity WHERE $in AND verb = 'CARD_MOVED'", \@boards);
my $dupes = $count->("SELECT enc_title FROM cards WHERE $in GROUP BY enc_title HAVING count(*) > 1", \@boards);
my $moved = $count->('SELECT 1 FROM cards WHERE column_id = ANY($1)', [ map { $_->{to} } @clients ]);
cmp_ok($done_kills, '>=', $kills, "$done_kills workers killed");
cmp_ok($acked, '>', 0, "$acked creates acknowledged");
is($stored_cards, $acked, 'acknowledged creates == stored cards');
is($dupes, 0, '0 duplicated creates');
is($moves, scalar(keys %acked_move), 'acknowledged moves == CARD_MOVED rows (none acted twice)');
is($moved, scalar(keys %acked_move), 'every acknowledged move is stored');
diag sprintf('exactly-once under kill -9: %d kills + %d crashes right after COMMIT, %d clients, %.1f s, '
    . '%d creates + %d moves acknowledged, %d attempts, %d retried after a failure, %d duplicates',
    $done_kills, $crashes, $nclients, $elapsed, $acked, scalar(keys %acked_move), $attempts, $errors, $dupes);
diag 'failed attempts by status: ' . join(', ', map { "$_: $failed{$_}" } sort keys %failed);

done_testing;
