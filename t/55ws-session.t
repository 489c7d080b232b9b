#!/usr/bin/perl
# The relay and the session behind a ticket, the role it grants, and the logs:
# - a ticket minted before logout (or a revocation) no longer upgrades;
# - a connection ends (4401: a new ticket is needed) when its session's idle or absolute expiry passes;
# - a viewer's connection follows the room but what it sends that could change the
#   document (sync step 2, updates, text, anything but step 1 and awareness) is dropped;
# - no ticket reaches the access log (stock "combined" format) nor the error log, also
#   when the redemption fails upstream.
use strict;
use warnings;
use Test::More;
use Time::HiRes qw(sleep time);
use MSKanban::Test;
use MSKanban::Kanban;
use MSKanban::WS;
use Mojo::UserAgent;
use Mojo::JSON ();

my $t = MSKanban::Test->new;
plan skip_all => 'the module has no WebSocket relay' unless MSKanban::WS::module_has_ws($t);

my $k = MSKanban::Kanban->new($t);
my $alice = $t->user;
my $vera = $t->user;
my ($wsid, $board, $card) = MSKanban::WS::card($t, $alice);
$k->invite($alice, $wsid, $vera, 'viewer');
my $room = "card:$card";
my $path = "/api/ws/$room";
my $ng = MSKanban::WS::Nginx->new($t, name => 'session');

# the relay's counters, fetched as the operator would (from 127.0.0.1, no test headers)
sub counters {
    my ($n) = @_;
    return Mojo::UserAgent->new->get($n->url . '/api/ws-status')->result->json // {};
}

subtest 'a ticket minted before logout does not upgrade' => sub {
    my $bob = $t->user;
    $k->invite($alice, $wsid, $bob, 'member');
    my $ticket = MSKanban::WS::ticket($bob, $room);
    my $out = $bob->post('/auth/logout', {});
    is($out->{status}, 204, 'logged out');
    my $ws = $ng->connect($path, ticket => $ticket);
    is($ws->status, 401, 'the ticket is refused: 401');
    is($ws->json && $ws->json->{error}{code}, 'UNAUTHORIZED', 'JSON error');

    my $carl = $t->user;
    $k->invite($alice, $wsid, $carl, 'member');
    $ticket = MSKanban::WS::ticket($carl, $room);
    $t->dbh->do('UPDATE sessions SET expires_at = now() - interval \'1 second\' WHERE user_id = ?',
                undef, $carl->id);
    is($ng->connect($path, ticket => $ticket)->status, 401, 'a session past its absolute expiry: 401');
};

subtest 'a connection ends with its session' => sub {
    my $dan = $t->user;
    $k->invite($alice, $wsid, $dan, 'member');
    my $ticket = MSKanban::WS::ticket($dan, $room);
    # the session was just used; make it look idle for all but 3 seconds of its timeout
    my ($idle) = $t->dbh->selectrow_array(
        'SELECT extract(epoch FROM (now() - last_seen_at))::int FROM sessions WHERE user_id = ?', undef, $dan->id);
    ok(defined $idle, 'the session exists');
    my $idle_s = $ENV{MSKANBAN_SESSION_IDLE_S} // 1800;
    $t->dbh->do("UPDATE sessions SET last_seen_at = now() - make_interval(secs => ?) WHERE user_id = ?",
                undef, $idle_s - 3, $dan->id);
    my $ws = $ng->connect($path, ticket => $ticket);
    is($ws->status, 101, 'upgraded while the session lives');
    my $start = time;
    my $code = $ws->wait_close(15);
    is($code, 4401, 'closed with 4401 when the session ends');
    cmp_ok(time - $start, '<', 10, 'about when the session ended');
    cmp_ok(counters($ng)->{closed}{expired}, '>=', 1, 'counted as expired');

    my $eve = $t->user;
    $k->invite($alice, $wsid, $eve, 'member');
    my $w2 = $ng->connect($path, ticket => MSKanban::WS::ticket($eve, $room));
    is($w2->status, 101, 'a fresh session');
    ok(!defined $w2->read_frame(2.5), 'stays open while its session lives');
    $w2->close;
};

subtest 'stock y-websocket providers stop on 4401 and 4403' => sub {
    my $js = $t->src . '/t/js';
    plan skip_all => 'node or t/js/node_modules (yjs, y-websocket) missing'
        unless -d "$js/node_modules/y-websocket" && system('node --version >/dev/null 2>&1') == 0;
    my ($gus, $hal) = ($t->user, $t->user);
    $k->invite($alice, $wsid, $_, 'member') for $gus, $hal;
    my @tickets = map { MSKanban::WS::ticket($_, $room) } $gus, $hal;
    # gus's session ends (idle) in about 4 seconds; hal's is revoked below
    my $idle_s = $ENV{MSKANBAN_SESSION_IDLE_S} // 1800;
    $t->dbh->do("UPDATE sessions SET last_seen_at = now() - make_interval(secs => ?) WHERE user_id = ?",
                undef, $idle_s - 4, $gus->id);
    my $before = counters($ng);
    my %cfg = (url => 'ws://127.0.0.1:' . $ng->port . '/api/ws', room => $room, tickets => \@tickets,
               wait => 15000);
    open(my $node, '-|', 'timeout', '60', 'node', "$js/ws-yjs-close.mjs", Mojo::JSON::encode_json(\%cfg))
        or die "node: $!";
    my $first = <$node> // '';
    is($first, "connected\n", 'both providers connected');
    is($hal->post('/auth/logout', {})->{status}, 204, 'hal logs out (revocation)');
    my @lines = <$node>;
    close $node;
    my $r = eval { Mojo::JSON::decode_json($lines[-1] // '') } // [];
    is_deeply($r->[0]{codes}, [4401], 'the expired session\'s provider: closed once, 4401') or diag(@lines);
    is_deeply($r->[0]{closed}, [4401], 'y-websocket emitted "closed" (it stopped)');
    is($r->[0]{attemptsAfterClose}, 0, 'and never retried its spent ticket');
    is_deeply($r->[1]{codes}, [4403], 'the revoked session\'s provider: closed once, 4403');
    is_deeply($r->[1]{closed}, [4403], 'y-websocket emitted "closed"');
    is($r->[1]{attemptsAfterClose}, 0, 'and never retried');
    my $after = counters($ng);
    is($after->{refused}, $before->{refused}, 'the relay refused no retry');
};

subtest 'a viewer follows the room but cannot change the document' => sub {
    my $writer = $ng->connect($path, ticket => MSKanban::WS::ticket($alice, $room));
    is($writer->status, 101, 'the owner joined');
    my $viewer = $ng->connect($path, ticket => MSKanban::WS::ticket($vera, $room));
    is($viewer->status, 101, 'the viewer joined (follows)');
    sleep 0.3;

    $writer->send_binary("\x00\x02update from the owner");
    my $f = $viewer->read_message(5);
    ok($f && $f->{payload} eq "\x00\x02update from the owner", 'the viewer receives the owner\'s update');

    my $before = counters($ng)->{readonlyDropped} // 0;
    my %dropped = (
        'sync step 2' => "\x00\x01forged state",
        'an update' => "\x00\x02forged update",
        'an auth message' => "\x02\x00",
        'an unknown type' => "\x07whatever",
        'a bare sync type' => "\x00",
    );
    $viewer->send_binary($dropped{$_}) for sort keys %dropped;
    $viewer->send_text('a text message');
    my %passed = (
        'sync step 1' => "\x00\x00\x01\x02",
        'awareness' => "\x01\x01presence",
        'awareness query' => "\x03",
    );
    $viewer->send_binary($passed{$_}) for sort keys %passed;
    my %got;
    while (my $m = $writer->read_message(1.5)) { $got{ $m->{payload} } = 1 }
    ok($got{ $passed{$_} }, "relayed from the viewer: $_") for sort keys %passed;
    ok(!$got{ $dropped{$_} }, "dropped from the viewer: $_") for sort keys %dropped;
    ok(!$got{'a text message'}, 'dropped from the viewer: text');
    is(scalar keys %got, scalar keys %passed, 'nothing else arrived');
    is((counters($ng)->{readonlyDropped} // 0) - $before, 6, 'the drops are counted');
    ok(!defined $viewer->read_frame(0.3) || 1, 'the viewer stays connected');
    $writer->send_binary("\x00\x02second update");
    $f = $viewer->read_message(5);
    ok($f && $f->{payload} eq "\x00\x02second update", 'and keeps following');
    $writer->close;
    $viewer->close;
};

subtest 'no ticket in any log' => sub {
    my $state = $t->{state} // '/tmp';
    my $combined = "$state/ws-combined-$$.log";
    my $sock = "$state/no-such-fcgi-$$.sock";
    # quoted: the checkout (and so the state directory) may have spaces in its path
    my $logs = MSKanban::WS::Nginx->new($t, name => 'logs', http => { access_log => "\"$combined\" combined" });
    # a relay whose redemption upstream is down
    my $dead = MSKanban::WS::Nginx->new($t, name => 'dead', http => { access_log => "\"$combined\" combined" },
        location => { mskanban_ws_redeem_uri => '/dead-redeem' },
        extra => "        location = /dead-redeem { internal; include /etc/nginx/fastcgi_params;"
            . " fastcgi_pass \"unix:$sock\"; }\n");
    my @tickets;
    my $ticket = MSKanban::WS::ticket($alice, $room);
    push @tickets, $ticket;
    my $ws = $logs->connect("$path?x=1", ticket => $ticket);
    is($ws->status, 101, 'upgraded');
    $ws->close;
    $ticket = MSKanban::WS::ticket($alice, $room);
    push @tickets, $ticket;
    my $r = $logs->connect("/api/ws?room=$room&t=$ticket&T=$ticket");
    is($r->status, 101, 'upgraded with the ticket twice in the query');
    $r->close;
    push @tickets, 'y' x 43;
    is($logs->connect($path, ticket => 'y' x 43)->status, 401, 'an unknown ticket: 401');
    $ticket = MSKanban::WS::ticket($alice, $room);
    push @tickets, $ticket;
    my $fail = $dead->connect($path, ticket => $ticket);
    is($fail->status, 503, 'redemption failed upstream: 503');
    sleep 0.5;
    $logs->stop;
    $dead->stop;
    my $err = $logs->log_text . $dead->log_text;
    like($err, qr/connect\(\) to unix:\Q$sock\E failed.*request: "GET \/api\/ws\/\Q$room\E\?t=REDACTED /,
         'the upstream failure is logged with the request, its ticket redacted') or diag($err);
    my $access = do { local (@ARGV, $/) = $combined; <> } // '';
    my $test_log = $logs->log_text('access.log') . $dead->log_text('access.log');
    like($access, qr/"GET \/api\/ws\/\Q$room\E\?x=1&t=REDACTED HTTP\/1.1" 101/, 'combined: the request line, redacted')
        or diag($access);
    like($test_log, qr/t=REDACTED&T=REDACTED/, 'every "t" parameter is redacted');
    for my $tk (@tickets) {
        ok(index($access, $tk) < 0 && index($test_log, $tk) < 0, 'no ticket in the access logs');
        ok(index($err, $tk) < 0, 'no ticket in the error log');
    }
};

$ng->stop;
unlike($ng->log_text, qr/exited on signal|\[(alert|emerg|crit)\]/, 'no crash, no alert');
done_testing;
