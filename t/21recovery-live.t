#!/usr/bin/perl
# Account recovery ends every session, and the revocations reach the nginx module: the
# old sessions' live board stream (SSE) and relay socket (WebSocket) close, their
# reconnects are refused, and another user's stream on the same board stays open.
use strict;
use warnings;
use Test::More;
use Time::HiRes qw(sleep);
use MSKanban::Test;
use MSKanban::Kanban;
use MSKanban::Live;
use MSKanban::WS;

my $t = MSKanban::Test->new;
plan skip_all => 'the module was not built' unless -f ($t->env('MSKANBAN_MODULE') // '');

my $verifier = random_b64(32);
my $alice = $t->user(recoveryVerifier => $verifier, encRecoveryPrivateKey => envelope(48));
my $bob = $t->user;
my ($ws, $board, $card) = MSKanban::WS::card($t, $alice);
MSKanban::Kanban->new($t)->invite($alice, $ws, $bob, 'member');
my $phone = $t->client;    # a second session of alice's
$phone->login($alice->email, $alice->{authHash});

my $live = "/api/boards/$board/live";
my $sse = MSKanban::Live::Nginx->new($t, name => 'recovery-live');
my $s1 = $sse->stream($live, user => $alice);
my $s2 = $sse->stream($live, user => $phone);
my $keep = $sse->stream($live, user => $bob);
MSKanban::Live::wait_until(sub { $s1->status && $s2->status && $keep->status }, 5);
is($_->status, 200, 'streaming') for $s1, $s2, $keep;

my ($relay, $sock);
if (MSKanban::WS::module_has_ws($t)) {
    $relay = MSKanban::WS::Nginx->new($t, name => 'recovery-ws');
    $sock = $relay->connect("/api/ws/card:$card", ticket => MSKanban::WS::ticket($phone, "card:$card"));
    is($sock->status, 101, 'a relay socket of the second session');
}
sleep 0.3;

my $r = $t->client->post('/auth/recovery', {
    email => $alice->email, recoveryVerifier => $verifier, authHash => random_b64(32),
    kdfSalt => random_b64(16), authSalt => random_b64(16), encPrivateKey => envelope(48),
    encSymmetricKey => envelope(48), encRecoveryBlob => envelope(48), encRecoveryPrivateKey => envelope(48),
    newRecoveryVerifier => random_b64(32) });
$t->ok_status($r, 200, 'recovered');

ok($s1->wait_done(5), 'the first session\'s stream closed');
ok($s2->wait_done(5), 'the second session\'s stream closed');
ok(!$keep->done, 'another user\'s stream on the board stays open');
my $again = $sse->stream($live, user => $alice);
MSKanban::Live::wait_until(sub { $again->done }, 5);
is($again->status, 401, 'the old session reconnects: 401');
SKIP: {
    skip 'the module has no WebSocket relay', 1 unless $sock;
    # 1008 (policy) or the relay's own 4403 for a revoked session
    like($sock->wait_close(5) // 'open', qr/^(1008|4403)$/, 'the relay socket closed (revoked)');
}
$keep->close;
$sse->stop;
$relay->stop if $relay;
done_testing;
