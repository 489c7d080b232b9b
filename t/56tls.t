#!/usr/bin/perl
# The stack behind TLS, as docs/deploy.md serves it: nginx with a certificate (made here
# with openssl, self-signed for 127.0.0.1) in front of the API, the live stream and the
# relay. Over https/wss: the live stream starts and ticks arrive; the relay answers its
# 101 at once (nginx's SSL layer held it until the relay flushed it) and carries a large
# message to a reader that takes it slowly, through a small send buffer, byte for byte;
# and the session cookie, Secure for any client off loopback, is set and sent back.
use strict;
use warnings;
use Test::More;
use Time::HiRes qw(sleep time);
use Digest::SHA qw(sha256_hex);
use File::Path qw(make_path);
use MSKanban::Test;
use MSKanban::Live;
use MSKanban::WS;
use MSKanban::Nginx;

my $t = MSKanban::Test->new;
plan skip_all => 'the module has no WebSocket relay' unless MSKanban::WS::module_has_ws($t);
plan skip_all => 'no openssl' unless `command -v openssl 2>/dev/null`;
plan skip_all => 'no IO::Socket::SSL' unless eval { require IO::Socket::SSL; 1 };

# a self-signed certificate for 127.0.0.1; the clients trust exactly it
my $dir = "$t->{state}/tls-$$";
make_path($dir);
my ($crt, $key) = ("$dir/cert.pem", "$dir/key.pem");
open my $stderr, '>&', \*STDERR or die $!;
open STDERR, '>', "$dir/openssl.log" or die $!;    # its progress dots
my $made = system('openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', $key, '-out', $crt) == 0;
open STDERR, '>&', $stderr or die $!;
BAIL_OUT('openssl could not make a certificate: ' . `cat "$dir/openssl.log"`) unless $made;
unlink "$dir/openssl.log";
chmod 0600, $key;

my $alice = $t->user;
my (undef, $board, $card) = MSKanban::WS::card($t, $alice);
my $room = "card:$card";
my $src = $t->src;

# The relay's 101 must not wait for the next write, and a small socket buffer makes
# nginx's SSL writes stop half way (the relay must resume them). X-Real-IP lets a test
# client stand off loopback, where the core sets the cookie Secure.
my $ng = MSKanban::Nginx->new($t, kind => 'tls', name => 'tls', workers => 2,
    so => MSKanban::WS::module_so($t), tls => { cert => $crt, key => $key }, listen => 'sndbuf=8k',
    server => <<CONF,
include "$src/conf/nginx/mskanban-live.conf";
        include "$src/conf/nginx/mskanban-ws.conf";
        set_real_ip_from 127.0.0.0/8;
        real_ip_header X-Real-IP;
CONF
    ready => sub {
        # one subscriber connection per worker, for the stream and the relay
        my $ready = () = $_[0]->log_text =~ /redis subscriber connection .* ready/g;
        $ready;
    });
like($ng->url, qr{^https://}, 'the private nginx listens with TLS');

sub join_room {
    my (%o) = @_;
    my $t0 = time;
    my $ws = MSKanban::WS::Nginx::connect($ng, "/api/ws/$room", ticket => MSKanban::WS::ticket($alice, $room), %o);
    return ($ws, time - $t0);
}

subtest 'the live stream over https' => sub {
    my $s = MSKanban::Live::Nginx::stream($ng, "/api/boards/$board/live", user => $alice);
    ok(MSKanban::Live::wait_until(sub { defined $s->{status} }, 5), 'its head arrives at once (no heartbeat waited for)');
    is($s->status, 200, 'the stream opens');
    like($s->type, qr{^text/event-stream}, 'as an event stream');
    sleep 0.2;
    MSKanban::Live::touch_board($alice, $board);
    ok($s->wait_events(1, 5), 'a board tick arrives through TLS');
    $s->close;
};

subtest 'the relay over wss' => sub {
    my ($a, $ta) = join_room();
    my ($b, $tb) = join_room(rcvbuf => 4096);
    is($_->status, 101, 'upgraded over TLS') for $a, $b;
    ok($_->accept_ok, 'with the right accept key') for $a, $b;
    cmp_ok($ta, '<', 3, "the 101 came at once ($ta s), not with the next write");
    # 600 KB of incompressible bytes (under mskanban_ws_max_message and its send
    # buffer), to a reader whose socket takes 4 KB and which waits before reading
    my $big = join '', map { pack 'N', int rand 4294967295 } 1 .. 150_000;
    ok($a->send_binary($big), 'a large message sent');
    sleep 1.5;
    my $f = $b->read_message(20);
    ok($f, 'the slow reader gets it');
    is(length($f ? $f->{payload} : ''), length $big, 'whole');
    is(sha256_hex($f ? $f->{payload} : ''), sha256_hex($big), 'byte for byte');
    # and the connection still carries messages both ways afterwards
    $b->send_binary('after');
    my $g = $a->read_message(5);
    is($g && $g->{payload}, 'after', 'the connection goes on after the large message');
    $a->send_binary('small');
    my $h = $b->read_message(5);
    is($h && $h->{payload}, 'small', 'in both directions');
    $_->close for $a, $b;
};

subtest 'the session cookie is Secure and works over https' => sub {
    my $off = '192.0.2.' . (1 + $$ % 250);    # TEST-NET: off loopback for the core
    my $c = $t->client(base => $ng->url . '/api', ca => $crt);
    $c->ua->on(start => sub { $_[1]->req->headers->header('X-Real-IP' => $off) });
    my $reg = $t->registration;
    is($c->post('/auth/register', $reg)->{status}, 201, 'registered over https');
    my $r = $c->login($reg->{email}, $reg->{authHash});
    my ($name) = grep { lc eq 'set-cookie' } keys %{ $r->{headers} };
    my $set = $name ? $r->{headers}{$name} : '';
    like($set, qr/^mskanban_session=/, 'the session cookie is set');
    like($set, qr/;\s*Secure\b/i, 'Secure');
    like($set, qr/;\s*HttpOnly\b/i, 'HttpOnly');
    ok(defined $c->cookie, 'the client kept it');
    is($c->get('/me')->{status}, 200, 'and sends it back over https: signed in');
};

$ng->stop;
my $log = $ng->log_text;
unlike($log, qr/exited on signal|\[(alert|emerg|crit)\]/, 'no worker crashed, no alert')
    or diag(join "\n", grep {/exited on signal|\[(alert|emerg|crit)\]/} split /\n/, $log);
unlink $key, $crt;
rmdir $dir;

done_testing;
