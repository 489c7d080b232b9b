# The session cache (src/session_cache.hpp): sessions seen lately are checked without
# PostgreSQL, yet a revoked session is refused by the very next request on every worker
# process, a logout likewise, a removed member at once; and the cache is really in use
# (a session deleted behind the server's back, with no notice, is served for at most
# 2 s and then refused).
use strict;
use warnings;
use Test::More;
use Mojo::Promise;
use Time::HiRes qw(time sleep);
use MSKanban::Test;
use MSKanban::Kanban;

my $t = MSKanban::Test->new;
my $k = MSKanban::Kanban->new($t);
my $log = $t->env('MSKANBAN_STATE') . '/logs/fcgi.log';

# N concurrent GETs of PATH with client C: the statuses.
sub burst {
    my ($c, $path, $n) = @_;
    my @codes;
    Mojo::Promise->all(map { $c->request_p(GET => $path) } 1 .. $n)
        ->then(sub { @codes = map { $_->[0]{status} } @_ })->wait;
    return @codes;
}

# The worker processes (pids in the log) that answered PATH with STATUS after log offset OFF.
sub answering_pids {
    my ($off, $path, $status) = @_;
    open my $fh, '<', $log or return ();
    seek $fh, $off, 0;
    my %pids;
    while (<$fh>) { $pids{$1} = 1 if /pid=(\d+) .*GET \Q$path\E $status / }
    return sort keys %pids;
}

# Revoke, then the very next requests (many, concurrent, so both worker processes answer).
{
    my $a1 = $t->user;
    my $a2 = $t->client;
    $a2->login($a1->email, $a1->{authHash});
    my $off = -s $log;
    my @warm = burst($a2, '/me', 40);
    is_deeply([ grep { $_ != 200 } @warm ], [], 'the second session is served (40 concurrent reads)');
    my @pids = answering_pids($off, '/me', 200);
    cmp_ok(scalar @pids, '>=', 2, 'by more than one worker process') or diag("pids: @pids");
    $t->ok_status($a1->delete("/me/sessions/$a2->{session_id}"), 204, 'revoke it from the first');
    $off = -s $log;
    my @after = burst($a2, '/me', 40);
    is_deeply([ grep { $_ != 401 } @after ], [], 'the very next requests with the old cookie are all 401');
    my @refusing = answering_pids($off, '/me', 401);
    cmp_ok(scalar @refusing, '>=', 2, 'from more than one worker process') or diag("pids: @refusing");
    is_deeply([ grep { $_ != 401 } burst($a2, '/me/sessions', 8) ], [], 'on a route that checks the session apart too');
    is($a1->get('/me')->{status}, 200, 'the revoking session still works');
}

# Logout: the cookie is dead for the next request.
{
    my $u = $t->user;
    my $c = $t->client;
    $c->login($u->email, $u->{authHash});
    my $cookie = $c->cookie;
    burst($c, '/me', 16);
    $t->ok_status($c->post('/auth/logout'), 204, 'logout');
    my @codes;
    Mojo::Promise->all(map { $t->client->request_p(GET => '/me', undef, { Cookie => "mskanban_session=$cookie" }) } 1 .. 16)
        ->then(sub { @codes = map { $_->[0]{status} } @_ })->wait;
    is_deeply([ grep { $_ != 401 } @codes ], [], 'the logged-out cookie is refused at once');
}

# Membership removal: the removed member's next read of the board is a 404.
{
    my $owner = $t->user;
    my $m = $t->user;
    my $ws = $k->workspace($owner);
    $k->invite($owner, $ws->{id}, $m, 'member');
    my $board = $k->board($owner, $ws->{id});
    my $r = $m->get("/boards/$board->{id}/cards");
    $t->ok_status($r, 200, 'the member lists the cards');
    my $etag = $r->{headers}{ETag};
    is_deeply([ grep { $_ != 304 } burst_h($m, "/boards/$board->{id}/cards", $etag, 16) ], [],
        'conditional reads are 304');
    $t->ok_status($owner->delete("/workspaces/$ws->{id}/members/" . $m->id), 204, 'remove the member');
    is_deeply([ grep { $_ != 404 } burst_h($m, "/boards/$board->{id}/cards", $etag, 16) ], [],
        'the removed member is refused at once (404), conditional or not');
    is_deeply([ grep { $_ != 404 } burst($m, "/boards/$board->{id}/cards", 8) ], [], 'and unconditional');
}

sub burst_h {
    my ($c, $path, $etag, $n) = @_;
    my @codes;
    Mojo::Promise->all(map { $c->request_p(GET => $path, undef, { 'If-None-Match' => $etag }) } 1 .. $n)
        ->then(sub { @codes = map { $_->[0]{status} } @_ })->wait;
    return @codes;
}

# The cache is in use: a session row deleted in the database (no notice is published) is
# still served from the cache for a moment, never for more than 2 s. A worker starved of
# CPU for longer than the lease (0.25 s) checks PostgreSQL instead, as it should: on a
# loaded machine a round may see no cache hit, so up to three rounds (each with its own
# session) must show one; every round must refuse within the 2 s.
{
    my @served;
    for my $round (1 .. 3) {
        my $u = $t->user;
        is_deeply([ grep { $_ != 200 } burst($u, '/me', 24) ], [], "round $round: a fresh session, seen by the workers");
        my $deleted_at = time;
        $t->dbh->do('DELETE FROM sessions WHERE id = ?', undef, $u->{session_id});
        my ($served, $refused_at) = (0, undef);
        while (time - $deleted_at < 6) {
            my $s = $u->get('/me')->{status};
            if ($s == 200) { $served++; sleep 0.02; next }
            is($s, 401, "round $round: then refused");
            $refused_at = time;
            last;
        }
        ok(defined $refused_at && $refused_at - $deleted_at < 2.5, "round $round: refused within the 2 s an entry lives")
            or diag('refused after ' . (defined $refused_at ? $refused_at - $deleted_at : 'never'));
        push @served, $served;
        last if $served > 0;
    }
    ok((grep { $_ > 0 } @served), "served from the cache after the row went (times per round: @served)");
}

done_testing;
