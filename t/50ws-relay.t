#!/usr/bin/perl
# The WebSocket relay (ngx_http_mskanban_module, conf/nginx/mskanban-ws.conf): tickets
# redeemed by the core (reuse, expiry, wrong room, lost membership), fan-out of every
# message to every other connection of the room and never back to its sender, on both
# workers and across two nginx hosts sharing Redis, binary-safe; revocations close the
# user's connections; the counters. Each nginx here has worker_processes 2.
use strict;
use warnings;
use Test::More;
use Time::HiRes qw(sleep time);
use Digest::SHA qw(sha256_hex);
use Mojo::IOLoop;
use MSKanban::Test;
use MSKanban::Kanban;
use MSKanban::Live;
use MSKanban::WS;

my $t = MSKanban::Test->new;
plan skip_all => 'the module has no WebSocket relay' unless MSKanban::WS::module_has_ws($t);

my $k = MSKanban::Kanban->new($t);
my $alice = $t->user;
my $bob = $t->user;
my ($wsid, $board, $card) = MSKanban::WS::card($t, $alice);
$k->invite($alice, $wsid, $bob, 'member');
my $redis = MSKanban::Live::Redis->new($t->env('MSKANBAN_REDIS_PORT'));
my $a = MSKanban::WS::Nginx->new($t, name => 'a');
my $room = "card:$card";
my $path = "/api/ws/$room";

sub join_room {
    my ($ng, $user, $r, %o) = @_;
    $r //= $room;
    my $ws = $ng->connect($o{path} // "/api/ws/$r", ticket => MSKanban::WS::ticket($user, $r));
    is($ws->status, 101, "joined $r") or diag($ws->body);
    return $ws;
}

# nothing arrives on any of these within $wait seconds
sub silent {
    my ($wait, @ws) = @_;
    my $deadline = time + $wait;
    for my $ws (@ws) {
        my $f = $ws->read_message(ngx_max(0.01, $deadline - time));
        return 0 if $f;
    }
    return 1;
}
sub ngx_max { $_[0] > $_[1] ? $_[0] : $_[1] }

subtest 'the upgrade needs a ticket the core redeems' => sub {
    my $ws = $a->connect($path);
    is($ws->status, 401, 'no ticket: 401');
    is($ws->json && $ws->json->{error}{code}, 'UNAUTHORIZED', 'JSON error') or diag($ws->body);

    $ws = $a->connect($path, ticket => 'x' x 43);
    is($ws->status, 401, 'unknown ticket: 401');

    $ws = $a->connect($path, ticket => 'bad*ticket');
    is($ws->status, 401, 'malformed ticket: 401');

    my $ticket = MSKanban::WS::ticket($alice, $room);
    $ws = $a->connect($path, ticket => $ticket);
    is($ws->status, 101, 'a ticket opens the room');
    ok($ws->accept_ok, 'Sec-WebSocket-Accept is right');
    is($ws->header('Upgrade'), 'websocket', 'Upgrade: websocket');
    like($ws->header('Connection') // '', qr/upgrade/i, 'Connection: upgrade');
    my $again = $a->connect($path, ticket => $ticket);
    is($again->status, 401, 'the same ticket again: 401');
    $ws->send_close(1000);
    is($ws->wait_close, 1000, 'closed');

    $ticket = MSKanban::WS::ticket($alice, $room);
    $redis->cmd('PEXPIRE', 'mskanban:wst:' . sha256_hex($ticket), 1);
    sleep 0.05;
    is($a->connect($path, ticket => $ticket)->status, 401, 'expired ticket: 401');

    $ticket = MSKanban::WS::ticket($alice, "board:$board");
    is($a->connect($path, ticket => $ticket)->status, 401, 'a ticket of another room: 401');

    is($a->connect("/api/ws/card:NOT-AN-ID", ticket => 'x' x 43)->status, 404, 'malformed room: 404');

    $ws = $a->connect('/api/ws', ticket => MSKanban::WS::ticket($alice, $room));
    is($ws->status, 101, '/api/ws?t=: the ticket names the room');
    $ws->close;
    $ws = $a->connect("/api/ws?room=$room", ticket => MSKanban::WS::ticket($alice, $room));
    is($ws->status, 101, '/api/ws?room=&t=: the room in the query');
    $ws->close;
    $ws = $a->connect("/api/ws?room=board:$board", ticket => MSKanban::WS::ticket($alice, $room));
    is($ws->status, 401, '/api/ws?room=: another room than the ticket\'s: 401');

    my $carol = $t->user;
    my $r = $carol->post('/auth/ws-ticket', { room => $room });
    is($r->{status}, 404, 'a non-member gets no ticket');

    my $dave = $t->user;
    $k->invite($alice, $wsid, $dave, 'member');
    $ticket = MSKanban::WS::ticket($dave, $room);
    my $del = $alice->delete("/workspaces/$wsid/members/" . $dave->id);
    ok($del->{status} == 204 || $del->{status} == 200, 'member removed') or diag($del->{body});
    $ws = $a->connect($path, ticket => $ticket);
    is($ws->status, 404, 'removed before the upgrade: 404');

    my $plain = $t->client(base => $a->url)->get("$path?t=$ticket");
    is($plain->{status}, 426, 'a plain GET: 426 Upgrade Required');
    is($plain->{headers}{'Sec-WebSocket-Version'}, '13', 'with the version');
};

subtest 'a message reaches every other connection of the room, never its sender' => sub {
    my @ws = map { join_room($a, $_ % 2 ? $bob : $alice) } 1 .. 6;
    sleep 0.2;
    $ws[0]->send_binary("update from 0");
    for my $i (1 .. 5) {
        my $f = $ws[$i]->read_message(5);
        ok($f && $f->{opcode} == 2 && $f->{payload} eq 'update from 0', "peer $i got it, binary");
    }
    ok(silent(0.3, $ws[0]), 'not echoed to the sender');

    $ws[$_]->send_binary("from $_") for 0 .. 5;
    for my $i (0 .. 5) {
        my %got;
        for (1 .. 5) { my $f = $ws[$i]->read_message(5) or last; $got{ $f->{payload} }++ }
        is_deeply([sort keys %got], [sort map {"from $_"} grep { $_ != $i } 0 .. 5], "$i got the 5 others");
    }
    ok(silent(0.3, @ws), 'nothing more');

    my $bytes = join '', map { chr } 0 .. 255;
    $ws[1]->send_binary($bytes x 3);
    is($ws[$_]->read_message(5)->{payload}, $bytes x 3, "binary-safe: every byte value ($_)") for 0, 2 .. 5;

    $ws[3]->send_text("caf\x{c3}\x{a9} \x{e2}\x{82}\x{ac}");
    for my $i (0 .. 2, 4, 5) {
        my $f = $ws[$i]->read_message(5);
        ok($f->{opcode} == 1 && $f->{payload} eq "caf\x{c3}\x{a9} \x{e2}\x{82}\x{ac}", "text stays text, unchanged ($i)");
    }

    my $big = join '', map { chr int rand 256 } 1 .. 200_000;
    $ws[0]->send_binary($big);
    is($ws[$_]->read_message(5)->{payload}, $big, "a 200 kB message ($_)") for 1 .. 5;

    my $other = join_room($a, $alice, "board:$board");
    sleep 0.1;
    $ws[0]->send_binary('card only');
    ok(silent(0.5, $other), 'another room hears nothing');
    $ws[$_]->read_message(2) for 1 .. 5;
    $_->send_close(1000) for @ws, $other;
    is($_->wait_close, 1000, 'close handshake') for @ws;
    ok($_->wait_eof(2), 'then nginx closes the TCP connection') for @ws;
    $_->close for @ws, $other;
    sleep 0.3;
    my %pids = map { (split ' ')[0] => 1 } grep {m{ 101 GET /api/ws/}} split /\n/, $a->log_text('access.log');
    cmp_ok(scalar keys %pids, '>=', 2, 'connections were served by both workers') or diag(join ' ', keys %pids)
        unless $ENV{MSKANBAN_VALGRIND};
};

subtest 'rooms share the channel table: slices, in order, two Redis connections per worker' => sub {
    my $sl = MSKanban::WS::Nginx->new($t, name => 'slices', workers => 1,
        http => { mskanban_delivery_slice => 2 });
    my @ws = map { join_room($sl, $_ % 2 ? $bob : $alice) } 1 .. 5;
    sleep 0.2;
    $ws[0]->send_binary("m$_") for 1 .. 20;
    for my $i (1 .. 4) {
        my @got;
        for (1 .. 20) { my $f = $ws[$i]->read_message(5) or last; push @got, $f->{payload} }
        is_deeply(\@got, [map {"m$_"} 1 .. 20], "socket $i got the 20 messages in order, each once");
    }
    ok(silent(0.3, @ws), 'not echoed, nothing more');
    $_->close for @ws;
    my $log = $sl->log_text;
    $sl->stop;
    my @ready = $log =~ /redis (\S+(?: \S+)?) connection to \S+ ready/g;
    is_deeply([sort @ready], [qw(command subscriber)], 'one subscriber and one command connection in the worker')
        or diag(join ', ', @ready);
};

subtest 'the stack\'s own nginx serves the relay (conf/nginx/mskanban-ws.conf)' => sub {
    my ($port) = $t->url =~ /:(\d+)$/;
    my $x = MSKanban::WS::Raw->new($port, "$path?t=" . MSKanban::WS::ticket($alice, $room));
    my $y = MSKanban::WS::Raw->new($port, "$path?t=" . MSKanban::WS::ticket($bob, $room));
    plan skip_all => 'the stack\'s nginx has no relay' if $x->status == 404;
    is($x->status, 101, 'upgraded on the stack');
    is($y->status, 101, 'and another');
    my $z = join_room($a, $alice);
    sleep 0.2;
    $x->send_binary('from the stack');
    is(($y->read_message(5) // {})->{payload}, 'from the stack', 'relayed on the stack');
    is(($z->read_message(5) // {})->{payload}, 'from the stack', 'and to another nginx');
    $_->close for $x, $y, $z;
};

subtest 'two nginx hosts share the room through Redis' => sub {
    my $b = MSKanban::WS::Nginx->new($t, name => 'b');
    my $x = join_room($a, $alice);
    my $y = join_room($b, $bob);
    my $z = join_room($b, $alice);
    sleep 0.2;
    $x->send_binary('from host a');
    is($y->read_message(5)->{payload}, 'from host a', 'host b, first');
    is($z->read_message(5)->{payload}, 'from host a', 'host b, second');
    $y->send_binary('from host b');
    is($x->read_message(5)->{payload}, 'from host b', 'host a');
    is($z->read_message(5)->{payload}, 'from host b', 'host b, the other one');
    ok(silent(0.3, $y), 'not echoed on host b');
    $_->close for $x, $y, $z;
    $b->stop;
};

subtest 'revocations close the user\'s connections' => sub {
    my $bs = join_room($a, $bob);
    my $as = join_room($a, $alice);
    sleep 0.2;
    $redis->cmd('PUBLISH', 'mskanban:revoke', '{"type":"session","sessionId":"' . $bob->{session_id} . '"}');
    is($bs->wait_close(5), 4403, 'session revoked: 4403');
    $bs->send_close(4403);
    ok($bs->wait_eof(5), 'then the TCP connection');
    $as->send_binary('still here');
    ok(silent(0.3, $as), 'alice stays');

    # through the API: bob revokes the session of his other device
    my $phone = $t->client;
    $phone->login($bob->{email}, $bob->{authHash});
    my $ps = join_room($a, $phone);
    sleep 0.2;
    my $rev = $bob->delete("/me/sessions/$phone->{session_id}");
    is($rev->{status}, 204, 'DELETE /me/sessions/{id}') or diag($rev->{body});
    is($ps->wait_close(5), 4403, 'that session\'s connection: 4403');

    my $b2 = join_room($a, $bob);
    sleep 0.2;
    my $del = $alice->delete("/workspaces/$wsid/members/" . $bob->id);
    ok($del->{status} == 204 || $del->{status} == 200, 'bob removed from the workspace') or diag($del->{body});
    is($b2->wait_close(5), 4403, 'member removed: 4403');
    is($bob->post('/auth/ws-ticket', { room => $room })->{status}, 404, 'and no new ticket');
    $as->send_close(1000);
    is($as->wait_close, 1000, 'alice closes');
};

subtest 'counters for operators' => sub {
    sleep 0.5;
    my $st = $a->status;
    ok($st, 'status is JSON');
    cmp_ok($st->{accepted}, '>=', 10, 'accepted upgrades');
    cmp_ok($st->{refused}, '>=', 5, 'refused upgrades');
    cmp_ok($st->{messagesIn}, '>=', 10, 'messages in');
    cmp_ok($st->{messagesOut}, '>', $st->{messagesIn}, 'more out than in (fan-out)');
    cmp_ok($st->{closed}{revoked}, '>=', 2, 'revocations');
    is($st->{connections}, 0, 'no connection left open');
};

$a->stop;
unlike($a->log_text, qr/exited on signal|\[(alert|emerg|crit)\]/, 'no crash, no alert');
done_testing;
