#!/usr/bin/perl
# Interop with real Yjs clients (t/js/ws-yjs.mjs: npm yjs + y-websocket providers over
# the `ws` package): a card room converges with concurrent edits and a late joiner,
# awareness travels on a board room; then the same with every message sealed with
# XChaCha20-Poly1305 under a shared key, while a plain observer in the room sees only
# ciphertext. The nginx has two workers, so peers meet across them.
use strict;
use warnings;
use Test::More;
use Mojo::JSON qw(decode_json encode_json);
use MSKanban::Test qw(random_b64);
use MSKanban::Kanban;
use MSKanban::WS;

my $t = MSKanban::Test->new;
plan skip_all => 'the module has no WebSocket relay' unless MSKanban::WS::module_has_ws($t);
my $js = $t->src . '/t/js';
plan skip_all => 'node or t/js/node_modules (yjs, y-websocket) missing'
    unless -d "$js/node_modules/y-websocket" && system('node --version >/dev/null 2>&1') == 0;

my $alice = $t->user;
my $bob = $t->user;
my ($wsid, $board, $card) = MSKanban::WS::card($t, $alice);
MSKanban::Kanban->new($t)->invite($alice, $wsid, $bob, 'member');
my $ng = MSKanban::WS::Nginx->new($t, name => 'yjs');

sub run_clients {
    my ($key) = @_;
    my %cfg = (
        url => 'ws://127.0.0.1:' . $ng->port . '/api/ws',
        card => "card:$card",
        board => "board:$board",
        tickets => {
            card => [map { MSKanban::WS::ticket($_ % 2 ? $bob : $alice, "card:$card") } 1 .. 4],
            board => [map { MSKanban::WS::ticket($_ % 2 ? $bob : $alice, "board:$board") } 1 .. 2],
        },
        key => $key,
    );
    my $cmd = sprintf "cd %s && timeout 90 node ws-yjs.mjs %s 2>&1", quotemeta($js), quotemeta(encode_json(\%cfg));
    my $out = `$cmd`;
    my ($line) = grep {/^\{/} split /\n/, $out;
    my $res = eval { decode_json($line // '') };
    ok($res, 'the clients ran') or diag($out);
    return $res // {};
}

for my $mode ('plain', 'sealed') {
    subtest "$mode Yjs updates" => sub {
        my $key = $mode eq 'sealed' ? random_b64(32) : undef;
        my $r = run_clients($key);
        ok($r->{connected}, 'two providers connected');
        ok($r->{converged}, 'they converge on the same text');
        ok($r->{concurrent}, 'concurrent edits at one place converge');
        ok($r->{lateJoiner}, 'a late joiner gets the whole document from the peers online');
        ok($r->{lateJoinerWrites}, 'and its edits reach them');
        like($r->{text} // '', qr/secret from A\..*secret from B\.|secret from B\..*secret from A\./, 'both edits are there');
        ok($r->{awareness}, 'awareness (presence) goes both ways on the board room');
        cmp_ok($r->{observer}{messages} // 0, '>', 3, 'the observer saw the room\'s messages');
        if ($key) {
            ok(!$r->{observer}{plaintextSeen}, 'sealed: no plaintext on the wire');
            ok($r->{observer}{allOpen}, 'sealed: every relayed message is a valid XChaCha20-Poly1305 box');
            is($r->{stats}{openFailures}, 0, 'sealed: every message the providers got opened');
        } else {
            ok($r->{observer}{plaintextSeen}, 'plain: the observer can read the text (the control case)');
        }
    };
}

my $st = $ng->status;
cmp_ok($st->{messagesIn}, '>', 10, 'the relay carried the updates');
$ng->stop;
unlike($ng->log_text, qr/exited on signal|\[(alert|emerg|crit)\]/, 'no crash, no alert');
done_testing;
