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

# Start a burst of logins (each costs an Argon2id hash), signal one worker mid-burst,
# and check every request still got a real answer.
my @results;
my @clients = map { $t->client } 1 .. 16;    # own source IPs: the login limit is per IP
for my $c (@clients) {
    my $ua = $c->ua;
    my $tx = $ua->build_tx(POST => $t->api . '/auth/login' => { 'Content-Type' => 'application/json' } =>
        Mojo::JSON::encode_json({ email => $u->email, authHash => $u->{authHash} }));
    $ua->start($tx => sub { push @results, $_[1]->res->code // 0 });
}
Mojo::IOLoop->timer(0.05 => sub { kill 'TERM', $pids[0] });
Mojo::IOLoop->one_tick while @results < 16;
is(scalar(grep { $_ == 200 } @results), 16, 'every in-flight request completed') or diag("@results");
my $gone = 0;
for (1 .. 50) { if (!kill 0, $pids[0]) { $gone = 1; last } select undef, undef, undef, 0.1 }
ok($gone, 'the signalled worker exited');
is($u->get('/me')->{status}, 200, 'the remaining workers serve');

done_testing;
