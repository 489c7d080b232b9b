# Killed workers are restarted (issue 16): the stack runs them under multiwatch. kill -9
# one worker, then another, and requests are still served by fresh processes.
use strict;
use warnings;
use Test::More;
use Time::HiRes qw(sleep);
use MSKanban::Test;

my $t = MSKanban::Test->new;
$t->wait_healthy;    # earlier serial tests restart services
my $pidfile = $t->env('MSKANBAN_FCGI_SUPERVISOR_PID') or plan skip_all => 'stack without a supervisor';
open my $fh, '<', $pidfile or plan skip_all => "no $pidfile";
chomp(my $sup = <$fh>);
sub workers { my @p = split ' ', `pgrep -P $sup`; return sort { $a <=> $b } @p }
sub wait_workers {
    my ($n, $not) = @_;
    for (1 .. 100) {
        my @w = workers();
        return @w if @w >= $n && !grep { $_ == $not } @w;
        sleep 0.1;
    }
    return workers();
}

my $u = $t->user;
my @before = workers();
ok(@before >= 2, 'at least two worker processes') or diag "@before";
for my $round (1 .. 2) {
    # an original worker: pids wrap (pid_max may be 32768), so the replacement from
    # round 1 can have the lowest pid
    my ($victim) = grep { my $p = $_; grep { $_ == $p } @before } workers();
    ok(kill('KILL', $victim), "round $round: kill -9 worker $victim");
    my @now = wait_workers(scalar @before, $victim);
    is(scalar @now, scalar @before, "round $round: the supervisor started a replacement") or diag "@now";
    ok(!grep({ $_ == $victim } @now), "round $round: the killed worker is gone");
    my @codes = map { $u->get('/me')->{status} } 1 .. 8;
    is_deeply(\@codes, [(200) x 8], "round $round: requests are served") or diag "@codes";
}
is(scalar(() = grep { my $p = $_; !grep { $_ == $p } workers() } @before), 2, 'two of the original workers were replaced');

done_testing;
