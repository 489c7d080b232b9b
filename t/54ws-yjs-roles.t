#!/usr/bin/perl
# Roles in the relay with real Yjs clients (t/js/ws-yjs-roles.mjs: npm yjs + y-websocket
# providers): a viewer follows a card's document live, a late viewer gets all of it, and
# nothing a viewer types (nor a forged update on a raw socket) reaches the writers, whose
# stock providers keep converging; plain, and sealed with the clear y-protocols header
# that docs/internals.md describes. The nginx has two workers.
use strict;
use warnings;
use Test::More;
use Mojo::JSON qw(decode_json encode_json);
use Mojo::UserAgent;
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
my $vera = $t->user;
my ($wsid, $board, $card) = MSKanban::WS::card($t, $alice);
my $k = MSKanban::Kanban->new($t);
$k->invite($alice, $wsid, $bob, 'member');
$k->invite($alice, $wsid, $vera, 'viewer');
my $ng = MSKanban::WS::Nginx->new($t, name => 'roles');
my $room = "card:$card";

for my $mode ('plain', 'sealed') {
    subtest "$mode Yjs" => sub {
        my %cfg = (
            url => 'ws://127.0.0.1:' . $ng->port . '/api/ws',
            card => $room,
            writers => [map { MSKanban::WS::ticket($_, $room) } $alice, $bob],
            viewers => [map { MSKanban::WS::ticket($vera, $room) } 1 .. 3],
            key => $mode eq 'sealed' ? random_b64(32) : undef,
        );
        my $out = `cd @{[quotemeta $js]} && timeout 90 node ws-yjs-roles.mjs @{[quotemeta(encode_json(\%cfg))]} 2>&1`;
        my ($line) = grep {/^\{/} split /\n/, $out;
        my $r = eval { decode_json($line // '') } // {};
        ok(%$r, 'the clients ran') or diag($out);
        ok($r->{connected}, 'a writer and a viewer connected');
        ok($r->{viewerFollows}, 'the viewer follows the writer\'s edits');
        ok($r->{viewerLocal}, 'the viewer typed into its own copy');
        ok($r->{writerUntouched}, 'but the writer never got it');
        ok($r->{writerJoins}, 'a writer joining late gets the document');
        ok($r->{writersConverge}, 'writers converge (stock y-websocket interop)');
        ok($r->{viewerStillFollows}, 'the viewer keeps following');
        ok($r->{lateViewer}, 'a late viewer gets the whole document');
        ok($r->{forgeryRejected}, 'a forged update from a viewer\'s raw socket reaches nobody');
        is($r->{text}, 'written by A. and B. ', 'the writers\' text is only theirs') or diag($out);
        cmp_ok($r->{stats}{openFailures}, '>=', 1, 'sealed: receivers dropped the update behind a false header')
            if $mode eq 'sealed';
    };
}

my $st = Mojo::UserAgent->new->get($ng->url . '/api/ws-status')->result->json;
cmp_ok($st->{readonlyDropped}, '>=', 2, 'the relay dropped the viewers\' changes');
$ng->stop;
unlike($ng->log_text, qr/exited on signal|\[(alert|emerg|crit)\]/, 'no crash, no alert');
done_testing;
