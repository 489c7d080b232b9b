# mskanban-jobs under stress, with the stack's own runner stopped: two runners at once
# deliver every delivery exactly once (FOR UPDATE SKIP LOCKED and the lease); a runner
# killed with SIGKILL mid-batch loses nothing: what it claimed is sent again when its
# lease ends (at least once), and only what it had in flight can reach the receiver
# twice; a due date that passes while no runner runs is announced when one starts; the
# runner's gc hard-deletes accounts deleted 30 days ago.
# Receivers listen on 127.0.0.2 only (the test stack's allow-list).
use strict;
use warnings;
use Test::More;
use Time::HiRes qw(time sleep);
use POSIX qw(strftime);
use MSKanban::Test;
use MSKanban::Kanban;
use MSKanban::Receiver;

my $t = MSKanban::Test->new;
my $k = MSKanban::Kanban->new($t);
my $dbh = $t->dbh;
my $alice = $t->user;
my $ws = $k->workspace($alice)->{id};
my $b = $k->board($alice, $ws)->{id};
my $col = $k->column($alice, $b)->{id};
my $runner = $t->env('MSKANBAN_BUILD') . '/mskanban-jobs';
my $config = $t->env('MSKANBAN_CONFIG');
my $log = $t->env('MSKANBAN_STATE') . '/logs/jobs-test.log';

$t->stack('stop-jobs');
my @mine;
sub start_runner {
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        # A loaded test machine can take seconds to answer: a timeout would be retried
        # (at least once), which is not what the normal path here is about.
        @ENV{qw(MSKANBAN_WEBHOOK_TIMEOUT_MS MSKANBAN_JOBS_CONCURRENCY)} = (8000, 8);
        open STDOUT, '>>', $log or die;
        open STDERR, '>&', \*STDOUT or die;
        { exec { $runner } $runner, '-c', $config }
        require POSIX;
        POSIX::_exit(127);
    }
    push @mine, $pid;
    return $pid;
}
sub stop_runners {
    kill 'TERM', @mine;
    waitpid $_, 0 for @mine;
    @mine = ();
}
END { kill 'KILL', @mine if @mine; $t->stack('start-jobs') if $t }

# $n webhooks on a new board of a new user (mutations are rate-limited per user), each
# taking CARD_CREATED to `rx`; then $cards cards.
sub deliveries_for {
    my ($rx, $hooks, $cards) = @_;
    my $u = $t->user;
    my $board = $k->board($u, $k->workspace($u)->{id})->{id};
    my $column = $k->column($u, $board)->{id};
    my @ids = map { $u->post("/boards/$board/webhooks", { url => $rx->url, events => ['CARD_CREATED'] })->{json}{webhook}{id} } 1 .. $hooks;
    $k->card($u, $column) for 1 .. $cards;
    my $d = $dbh->selectcol_arrayref('SELECT id FROM webhook_deliveries WHERE webhook_id = ANY (?)', undef, \@ids);
    return (\@ids, $d);
}
sub wait_delivered {
    my ($hooks, $want, $timeout) = @_;
    my $deadline = time + $timeout;
    my $n = 0;
    while (time < $deadline) {
        $n = $dbh->selectrow_array(q{SELECT count(*) FROM webhook_deliveries WHERE webhook_id = ANY (?) AND state = 'delivered'}, undef, $hooks);
        return $n if $n >= $want;
        sleep 0.1;
    }
    return $n;
}
sub received { my %seen; $seen{ $_->{headers}{'x-mskanban-delivery-id'} }++ for @{ $_[0] }; \%seen }

# --- two runners at once, the normal path ----------------------------------------------
my $rx = MSKanban::Receiver->new(host => '127.0.0.2', concurrent => 1, delay => 0.05);
my ($hooks, $ids) = deliveries_for($rx, 4, 30);
is(scalar @$ids, 120, '120 deliveries waiting');
is($rx->count, 0, 'nothing sent while no runner runs');
start_runner() for 1 .. 2;
is(wait_delivered($hooks, 120, 60), 120, 'two runners deliver them all');
my $seen = received($rx->requests);
is(scalar(keys %$seen), 120, 'every delivery reached the receiver');
is(scalar(grep { $_ > 1 } values %$seen), 0, 'none twice');
is($dbh->selectrow_array('SELECT count(*) FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id WHERE d.webhook_id = ANY (?)', undef, $hooks),
    120, 'one attempt recorded each');
stop_runners();
$rx->stop;

# --- SIGKILL mid-batch ---------------------------------------------------------------------
$rx = MSKanban::Receiver->new(host => '127.0.0.2', concurrent => 1, delay => 0.4);
($hooks, $ids) = deliveries_for($rx, 4, 20);
is(scalar @$ids, 80, '80 deliveries waiting');
my $victim = start_runner();
$rx->wait_for(5, 20);
kill 'KILL', $victim;
waitpid $victim, 0;
@mine = grep { $_ != $victim } @mine;
# What the victim had claimed and not recorded: still pending, its lease running.
my %leased = map { $_ => 1 } @{ $dbh->selectcol_arrayref(
    q{SELECT id FROM webhook_deliveries WHERE webhook_id = ANY (?) AND state = 'pending' AND next_attempt_at > now()}, undef, $hooks) };
my $before = $rx->count;
ok($before >= 5, "$before requests reached the receiver before the kill; " . scalar(keys %leased) . ' deliveries leased by the victim');
start_runner() for 1 .. 2;
is(wait_delivered($hooks, 80, 90), 80, 'the other runners deliver everything (the leased ones after the lease)');
$seen = received($rx->requests);
is(scalar(keys %$seen), 80, 'every delivery reached the receiver at least once');
my @twice = grep { $seen->{$_} > 1 } keys %$seen;
is(scalar(grep { !$leased{$_} } @twice), 0, scalar(@twice) . ' sent twice, all of them claimed by the killed runner');
ok(@twice <= 8, 'at most what one runner has in flight (jobs_concurrency) is sent twice');
is(scalar(grep { $_ > 2 } values %$seen), 0, 'none more than twice');
stop_runners();
$rx->stop;

# --- a due date passes while no runner runs -------------------------------------------------
my $t0 = time + 0.5;
my $due = strftime('%Y-%m-%dT%H:%M:%S', gmtime $t0) . sprintf('.%03dZ', ($t0 - int $t0) * 1000);
my $card = $k->card($alice, $col, dueAt => $due)->{id};
my $reached = sub { $t->count_rows(q{SELECT 1 FROM activity WHERE target_id = ? AND verb = 'CARD_DUE_REACHED'}, $card) };
sleep 1.5;
is($reached->(), 0, 'no runner: not announced yet');
start_runner();
my $deadline = time + 10;
sleep 0.1 while !$reached->() && time < $deadline;
is($reached->(), 1, 'announced once a runner starts');
stop_runners();

# --- the runner's gc hard-deletes accounts deleted 30 days ago (t/21account-delete.t does it
# with mskanbanctl gc; both call purge_deleted_accounts) ----------------------------------------
my ($old, $recent) = map { $t->user } 1 .. 2;
for my $u ($old, $recent) {
    my $r = $u->delete('/me', { authHash => $u->{authHash} });
    is($r->{status}, 200, 'an account deletes itself') or diag $r->{body};
}
$dbh->do(q{UPDATE users SET deleted_at = now() - interval '31 days' WHERE id = ?}, undef, $old->id);
$dbh->do(q{UPDATE users SET deleted_at = now() - interval '29 days' WHERE id = ?}, undef, $recent->id);
my $rows = sub { $t->count_rows('SELECT 1 FROM users WHERE id = ?', $_[0]->id) };
is($rows->($old), 1, 'no runner: the 31-day-old tombstone is still there');
start_runner();    # gc runs at start, then every jobs_gc_interval
$deadline = time + 15;
sleep 0.1 while $rows->($old) && time < $deadline;
is($rows->($old), 0, 'a runner hard-deletes the 31-day-old tombstone');
is($rows->($recent), 1, 'and keeps the 29-day-old one');
stop_runners();
like(do { open my $fh, '<', $log or die "$log: $!"; local $/; <$fh> }, qr/gc hard-deleted [1-9]\d* accounts/, 'and logs it');

done_testing;
