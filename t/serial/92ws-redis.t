#!/usr/bin/perl
# The WebSocket relay when Redis goes away (serial: it restarts the stack's Redis): open
# connections are closed with 1013 so that their Yjs providers reconnect and
# resynchronize, nothing crashes, upgrades are refused while tickets cannot be redeemed,
# and relaying works again on every worker once Redis is back.
use strict;
use warnings;
use Test::More;
use Time::HiRes qw(sleep time);
use MSKanban::Test;
use MSKanban::Live;
use MSKanban::WS;

my $t = MSKanban::Test->new;
plan skip_all => 'the module has no WebSocket relay' unless MSKanban::WS::module_has_ws($t);

my $alice = $t->user;
my (undef, undef, $card) = MSKanban::WS::card($t, $alice);
my $room = "card:$card";
my $ng = MSKanban::WS::Nginx->new($t, name => 'wsredis');

sub open_ws { $ng->connect("/api/ws/$room", ticket => MSKanban::WS::ticket($alice, $room)) }

my @ws = map { open_ws() } 1 .. 4;
is($_->status, 101, 'upgraded') for @ws;
sleep 0.2;
$ws[0]->send_binary('before');
is(($ws[$_]->read_message(5) // {})->{payload}, 'before', "relayed ($_)") for 1 .. 3;

my $ready = $ng->ready_count;
$t->stack('stop-redis');
for my $ws (@ws) {
    is($ws->wait_close(5), 1013, 'Redis gone: closed with 1013 (try again later)');
    $ws->send_close(1013);
    ok($ws->wait_eof(5), 'and the connection ends');
}

$t->stack('start-redis');
ok(MSKanban::Live::wait_until(sub { $ng->ready_count >= $ready + $ng->{workers} }, 15), 'every worker resubscribed');
sleep 0.3;
@ws = map { open_ws() } 1 .. 4;
is($_->status, 101, 'upgraded again') for @ws;
sleep 0.2;
$ws[3]->send_binary('after');
is(($ws[$_]->read_message(5) // {})->{payload}, 'after', "relayed again ($_)") for 0 .. 2;
$_->send_close(1000) for @ws;
is($_->wait_close(5), 1000, 'closed normally') for @ws;

my $st = $ng->status;
cmp_ok($st->{closed}{redis}, '>=', 4, 'counted as closed for Redis');
$ng->stop;
unlike($ng->log_text, qr/exited on signal|\[(alert|emerg|crit)\]/, 'no crash, no alert');
done_testing;
