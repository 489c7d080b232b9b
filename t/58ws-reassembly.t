#!/usr/bin/perl
# The relay's memory for messages that arrive in pieces (issue 15): the bytes of the
# messages being reassembled on a worker are capped by mskanban_ws_reassembly_budget
# (the connection whose piece would pass it is closed with 1009, the others go on, and
# a finished message gives its bytes back); a message in pieces must be complete within
# mskanban_ws_message_timeout (else 1008); a client that never answers a close frame is
# dropped after mskanban_ws_close_timeout (a timer, not the once-a-second tick).
use strict;
use warnings;
use Test::More;
use Time::HiRes qw(sleep time);
use MSKanban::Test;
use MSKanban::WS;

my $t = MSKanban::Test->new;
plan skip_all => 'the module has no WebSocket relay' unless MSKanban::WS::module_has_ws($t);

my $alice = $t->user;
my (undef, undef, $card) = MSKanban::WS::card($t, $alice);
my $room = "card:$card";

sub open_ws {
    my ($ng) = @_;
    my $ws = $ng->connect("/api/ws/$room", ticket => MSKanban::WS::ticket($alice, $room));
    is($ws->status, 101, 'upgraded');
    return $ws;
}

subtest 'the reassembly budget' => sub {
    my $ng = MSKanban::WS::Nginx->new($t, name => 'budget', workers => 1,
        location => { mskanban_ws_max_message => '4k' },
        http => { mskanban_ws_reassembly_budget => '8k' });
    my ($reader, $a, $b, $c) = map { open_ws($ng) } 1 .. 4;
    sleep 0.3;
    # 3,000 bytes each, not finished: 3,017 bytes held per connection
    $a->send_frame(2, 'a' x 3000, fin => 0);
    $b->send_frame(2, 'b' x 3000, fin => 0);
    sleep 0.2;
    $c->send_frame(2, 'c' x 3000, fin => 0);
    is($c->wait_close(5), 1009, 'the piece past the budget: 1009');
    ok(!defined $b->read_frame(0.5), 'the others stay');
    $a->send_frame(0, 'A' x 10, fin => 1);
    my $m = $reader->read_message(5);
    is(length($m && $m->{payload} // ''), 3010, 'a finished message is relayed whole');
    my $d = open_ws($ng);
    sleep 0.3;
    $d->send_frame(2, 'd' x 3000, fin => 0);
    ok(!defined $d->read_frame(1), 'its bytes were given back: another message fits');
    $b->send_frame(0, 'B', fin => 1);
    $d->send_frame(0, 'D', fin => 1);
    is(length(($reader->read_message(5) // {})->{payload} // ''), 3001, 'both finish') for 1 .. 2;
    cmp_ok($ng->status->{closed}{budget}, '>=', 1, 'counted (closed.budget)');
    $_->close for $reader, $a, $b, $c, $d;
    $ng->stop;
    unlike($ng->log_text, qr/exited on signal|\[(alert|emerg|crit)\]/, 'no crash, no alert');
};

subtest 'a deadline per message, a timer for the close handshake' => sub {
    my $ng = MSKanban::WS::Nginx->new($t, name => 'deadline', workers => 1,
        location => { mskanban_ws_message_timeout => '1500ms', mskanban_ws_close_timeout => '1500ms' });
    my ($reader, $slow, $steady) = map { open_ws($ng) } 1 .. 3;
    sleep 0.3;
    my $start = time;
    $slow->send_frame(2, 's' x 100, fin => 0);
    $steady->send_frame(1, 'in ', fin => 0);
    sleep 0.5;
    $steady->send_frame(0, 'time', fin => 1);
    is(($reader->read_message(5) // {})->{payload}, 'in time', 'a message finished in time is relayed');
    is($slow->wait_close(5), 1008, 'one that is not: 1008');
    my $took = time - $start;
    cmp_ok($took, '>=', 1.3, "not before the deadline ($took s)");
    cmp_ok($took, '<', 3, 'soon after it');
    # it never answers the close frame: dropped after mskanban_ws_close_timeout
    $start = time;
    ok($slow->wait_eof(5), 'the silent client is dropped');
    $took = time - $start;
    cmp_ok($took, '>=', 1.2, "after the close timeout ($took s)");
    cmp_ok($took, '<', 2.5, 'on its timer');
    ok(!defined $steady->read_frame(0.5), 'the others stay');
    $_->close for $reader, $slow, $steady;
    $ng->stop;
    unlike($ng->log_text, qr/exited on signal|\[(alert|emerg|crit)\]/, 'no crash, no alert');
};

done_testing;
