# SIGTERM lets a worker finish what it is doing, then exit. Runs last: it stops one of
# the stack's worker processes.
use strict;
use warnings;
use Test::More;
use Mojo::IOLoop;
use MSKanban::Test;

my $t = MSKanban::Test->new;
$t->wait_healthy;    # earlier serial tests restart services
my $u = $t->user;
my $run = $t->env('MSKANBAN_FCGI_SOCKET') =~ s{/[^/]+$}{}r;
open my $fh, '<', "$run/fcgi.pids" or plan skip_all => 'no worker pid file';
my @pids = split ' ', do { local $/; <$fh> };
ok(@pids >= 2, 'at least two worker processes');

# Start a burst of logins (each costs an Argon2id hash). Signal the worker that holds an
# in-flight request at that moment: a worker process with an accepted (ESTAB)
# connection on the FastCGI socket, as `ss` shows it. Then check every request got a
# real answer, and (by the request ids in the workers' log) that the signalled worker
# itself answered some of them after the signal.
my $sock = $t->env('MSKANBAN_FCGI_SOCKET');
my $log = $t->env('MSKANBAN_STATE') . '/logs/fcgi.log';
sub busy_workers {
    my %busy;
    for (`ss -xpn state established 2>/dev/null`) {
        next unless /\Q$sock\E\s/;
        $busy{$1}++ while /pid=(\d+)/g;
    }
    return grep { $busy{$_} } @pids;
}
plan skip_all => 'ss (iproute2) is needed to see which worker is busy' if system('ss -V >/dev/null 2>&1') != 0;

my (@results, $victim, @busy_then);
my @clients = map { $t->client } 1 .. 16;    # own source IPs: the login limit is per IP
for my $c (@clients) {
    $c->start(POST => '/auth/login', { email => $u->email, authHash => $u->{authHash} }, undef,
        sub { push @results, $_[0] });
}
my $poll;
$poll = Mojo::IOLoop->recurring(0.005 => sub {
    return if $victim;
    @busy_then = busy_workers() or return;
    $victim = $busy_then[0];
    kill 'TERM', $victim;
    Mojo::IOLoop->remove($poll);
});
Mojo::IOLoop->one_tick while @results < 16;
ok($victim, 'a worker with a request in flight was signalled') or diag('no worker seen busy');
is(scalar(grep { $_->{status} == 200 } @results), 16, 'every in-flight request completed')
    or diag(join ' ', map { $_->{status} } @results);
my %rid = map { ($_->{headers}{'X-Request-Id'} // '') => 1 } @results;
my $served = 0;
if (open my $lf, '<', $log) {
    while (<$lf>) { $served++ if /pid=(\d+) rid=(\w+) POST \/auth\/login 200/ && $1 == ($victim // 0) && $rid{$2} }
}
cmp_ok($served, '>=', 1, 'the signalled worker answered its in-flight logins') or diag("worker $victim, log $log");
my $gone = 0;
for (1 .. 50) { if (!kill 0, $victim) { $gone = 1; last } select undef, undef, undef, 0.1 }
ok($gone, 'the signalled worker exited');
is($u->get('/me')->{status}, 200, 'the remaining workers serve');

done_testing;
