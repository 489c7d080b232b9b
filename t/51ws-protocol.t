#!/usr/bin/perl
# RFC 6455 on the relay's side, with a raw client: the opening handshake and its
# refusals, frames a server must refuse (unmasked, reserved bits and opcodes, bad UTF-8
# text, oversize or fragmented control frames, continuation out of place) closed with
# the right code, a message over mskanban_ws_max_message closed with 1009, ping/pong,
# the close handshake both ways, fragmented messages relayed whole, and frames sent
# right behind the handshake.
use strict;
use warnings;
use Test::More;
use Time::HiRes qw(sleep);
use MSKanban::Test;
use MSKanban::WS;

my $t = MSKanban::Test->new;
plan skip_all => 'the module has no WebSocket relay' unless MSKanban::WS::module_has_ws($t);

my $alice = $t->user;
my (undef, undef, $card) = MSKanban::WS::card($t, $alice);
my $room = "card:$card";
my $ng = MSKanban::WS::Nginx->new($t, name => 'proto', workers => 1, location => {
    mskanban_ws_max_message => '4k',
    mskanban_ws_origin => 'https://kanban.example.org http://localhost:8080',
});

sub open_ws {
    my (%o) = @_;
    my $ws = $ng->connect("/api/ws/$room", ticket => MSKanban::WS::ticket($alice, $room),
        headers => { Origin => 'https://kanban.example.org', %{ $o{headers} // {} } },
        after_handshake => $o{after_handshake});
    is($ws->status, 101, 'upgraded') or diag($ws->body);
    return $ws;
}

subtest 'the opening handshake' => sub {
    my %bad = (
        'no Upgrade' => [{ Upgrade => undef }, 426],
        'Upgrade: h2c' => [{ Upgrade => 'h2c' }, 426],
        'no Connection: upgrade' => [{ Connection => 'keep-alive' }, 426],
        'version 8' => [{ 'Sec-WebSocket-Version' => 8 }, 426],
        'no key' => [{ 'Sec-WebSocket-Key' => undef }, 400],
        'a short key' => [{ 'Sec-WebSocket-Key' => 'c2hvcnQ=' }, 400],
        'a foreign Origin' => [{ Origin => 'https://evil.example' }, 403],
        'no Origin' => [{ Origin => undef }, 403],
    );
    for my $name (sort keys %bad) {
        my ($h, $status) = @{ $bad{$name} };
        my $ticket = MSKanban::WS::ticket($alice, $room);
        my $ws = $ng->connect("/api/ws/$room", ticket => $ticket,
            headers => { Origin => 'https://kanban.example.org', %$h });
        is($ws->status, $status, "$name: $status");
        ok($ws->json && $ws->json->{error}{code}, "$name: JSON error") or diag($ws->body);
        is($ws->header('Sec-WebSocket-Version'), '13', "$name: names the version") if $status == 426;
        # the ticket was not spent on a refused handshake
        my $ok = $ng->connect("/api/ws/$room", ticket => $ticket, headers => { Origin => 'https://kanban.example.org' });
        is($ok->status, 101, "$name: the ticket still works");
    }
    my $ws = $ng->connect("/api/ws/$room", ticket => MSKanban::WS::ticket($alice, $room), method => 'POST',
        headers => { Origin => 'https://kanban.example.org' }, undocumented => 1);
    is($ws->status, 405, 'POST: 405');
    $ws = open_ws(headers => { Origin => 'HTTP://LOCALHOST:8080', Connection => 'keep-alive, Upgrade', Upgrade => 'WebSocket' });
    ok($ws->accept_ok, 'tokens and origin in any case; the accept key is right');
    ok(!defined $ws->header('Sec-WebSocket-Protocol'), 'no subprotocol');
    ok(!defined $ws->header('Sec-WebSocket-Extensions'), 'no extension');
};

my %fail = (
    'unmasked frame' => [sub { $_[0]->send_frame(2, 'abc', mask => 0) }, 1002],
    'RSV1 without an extension' => [sub { $_[0]->send_frame(2, 'abc', rsv => 4) }, 1002],
    'opcode 3' => [sub { $_[0]->send_frame(3, 'abc') }, 1002],
    'opcode 0xB' => [sub { $_[0]->send_frame(0xb, '') }, 1002],
    'text that is not UTF-8' => [sub { $_[0]->send_text("caf\xc3") }, 1007],
    'overlong UTF-8' => [sub { $_[0]->send_text("\xc0\xaf") }, 1007],
    'a ping of 126 bytes' => [sub { $_[0]->send_frame(9, 'p' x 126) }, 1002],
    'a fragmented ping' => [sub { $_[0]->send_frame(9, 'p', fin => 0) }, 1002],
    'a continuation first' => [sub { $_[0]->send_frame(0, 'abc') }, 1002],
    'a new message inside a fragmented one' =>
        [sub { $_[0]->send_frame(2, 'ab', fin => 0); $_[0]->send_frame(2, 'cd') }, 1002],
    'a message over the limit' => [sub { $_[0]->send_binary('x' x 4097) }, 1009],
    'fragments over the limit' =>
        [sub { $_[0]->send_frame(2, 'x' x 3000, fin => 0); $_[0]->send_frame(0, 'x' x 1097) }, 1009],
    'a close frame of one byte' => [sub { $_[0]->send_frame(8, 'x') }, 1002],
    'close code 1005 on the wire' => [sub { $_[0]->send_close(1005) }, 1002],
    'close reason not UTF-8' => [sub { $_[0]->send_close(1000, "\xff") }, 1007],
);

for my $name (sort keys %fail) {
    subtest $name => sub {
        my ($send, $code) = @{ $fail{$name} };
        my $ws = open_ws();
        my $peer = open_ws();
        sleep 0.05;
        $send->($ws);
        is($ws->wait_close(5), $code, "closed with $code");
        ok($ws->wait_eof(5), 'and the TCP connection closed');
        ok(!$peer->read_message(0.2), 'nothing relayed');
        $peer->send_close(1000);
        $peer->wait_close;
    };
}

subtest 'the largest message passes' => sub {
    my $ws = open_ws();
    my $peer = open_ws();
    sleep 0.05;
    $ws->send_binary('y' x 4096);
    is(length(($peer->read_message(5) // {})->{payload} // ''), 4096, 'exactly mskanban_ws_max_message');
    $ws->send_text('');
    my $f = $peer->read_message(5);
    ok($f && $f->{opcode} == 1 && $f->{payload} eq '', 'an empty text message');
};

subtest 'ping and pong' => sub {
    my $ws = open_ws();
    $ws->send_frame(9, 'are you there');
    my $f = $ws->read_frame(5);
    is($f->{opcode}, 10, 'a pong');
    is($f->{payload}, 'are you there', 'with the ping\'s payload');
    $ws->send_frame(10, 'unsolicited');
    $ws->send_frame(9, '');
    $f = $ws->read_frame(5);
    ok($f->{opcode} == 10 && $f->{payload} eq '', 'an unsolicited pong is ignored; an empty ping answered');
};

subtest 'the close handshake' => sub {
    my $ws = open_ws();
    $ws->send_close(4001, 'bye');
    is($ws->wait_close(5), 4001, 'the client\'s code is echoed');
    ok($ws->wait_eof(5), 'then nginx closes the TCP connection');

    $ws = open_ws();
    $ws->send_frame(8, '');
    my $f = $ws->read_frame(5);
    ok($f && $f->{opcode} == 8 && $f->{payload} eq '', 'an empty close gets an empty close');
    ok($ws->wait_eof(5), 'closed');

    $ws = open_ws();
    my $peer = open_ws();
    sleep 0.05;
    $ws->send_binary('last words');
    $ws->send_close(1000);
    is($peer->read_message(5)->{payload}, 'last words', 'what came before the close is relayed');
    is($ws->wait_close(5), 1000, 'closed');
    $peer->send_close(1000);
    $peer->wait_close;
};

subtest 'fragmented messages are relayed whole' => sub {
    my $ws = open_ws();
    my $peer = open_ws();
    sleep 0.05;
    $ws->send_frame(1, "frag", fin => 0);
    $ws->send_frame(9, 'in between');
    $ws->send_frame(0, "men", fin => 0);
    $ws->send_frame(0, "", fin => 0);
    $ws->send_frame(0, "ted \xe2\x82", fin => 0);
    $ws->send_frame(0, "\xac");
    my $pong = $ws->read_frame(5);
    is($pong->{opcode}, 10, 'a ping between fragments is answered');
    my $f = $peer->read_frame(5);
    ok($f->{fin}, 'one final frame');
    is($f->{opcode}, 1, 'text');
    is($f->{payload}, "fragmented \xe2\x82\xac", 'the whole message, a code point across fragments');
};

subtest 'frames right behind the handshake' => sub {
    my $peer = open_ws();
    sleep 0.05;
    my $probe = MSKanban::WS::Raw->can('frame')->(undef, 2, 'early bird');
    my $ws = open_ws(after_handshake => $probe);
    is($peer->read_message(5)->{payload}, 'early bird', 'sent with the request, relayed');
};

subtest 'the counters saw it' => sub {
    my $st = $ng->status;
    cmp_ok($st->{closed}{protocol}, '>=', scalar(keys %fail), 'protocol errors');
    cmp_ok($st->{refused}, '>=', 9, 'refused handshakes');
};

$ng->stop;
unlike($ng->log_text, qr/exited on signal|\[(alert|emerg|crit)\]/, 'no crash, no alert');
done_testing;
