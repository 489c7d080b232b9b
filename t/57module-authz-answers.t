#!/usr/bin/perl
# The module's side of the core's internal answers (issue 15): an authorization
# (/internal/authz/board/:id) or ticket redemption (/internal/ws-redeem) that says yes
# must name the reader's workspace and board (X-MSKanban-Workspace, -Board), or a
# revocation by workspace or board could not find the reader. The module treats an
# answer without them as the core's failure (502 inside: the relay refuses the upgrade
# with 503 UNAVAILABLE, the live stream never starts) and logs it. The answers here come
# from a stand-in upstream in the test nginx itself (proxied add_header locations), so
# each header can be left out; the core's own answers carry both (t/17ws-ticket.t,
# t/40live.t).
use strict;
use warnings;
use Test::More;
use Mojo::UserAgent;
use MSKanban::Test;
use MSKanban::WS;

my $t = MSKanban::Test->new;
plan skip_all => 'the module has no WebSocket relay' unless MSKanban::WS::module_has_ws($t);

# each case has its room and board, served by exact locations (which win over the
# shipped regular expressions) whose stand-in answers that room and board
my %cases = (all => [], nows => ['X-MSKanban-Workspace'], nob => ['X-MSKanban-Board']);

my $extra = '';
for my $case (sort keys %cases) {
    my %h = (
        'X-MSKanban-User' => 'u1', 'X-MSKanban-Session' => 's1', 'X-MSKanban-Workspace' => 'w1',
        'X-MSKanban-Board' => "fake$case", 'X-MSKanban-Room' => "card:fake$case",
        'X-MSKanban-Role' => 'member', 'X-MSKanban-Session-Expires' => '4102444800',
    );
    delete @h{ @{ $cases{$case} } };
    my $adds = join '', map {"add_header $_ $h{$_} always; "} sort keys %h;
    $extra .= <<CONF;
        location = /api/ws/card:fake$case {
            mskanban_ws;
            mskanban_ws_redeem_uri /fake-core/$case;
        }
        location = /api/boards/fake$case/live {
            mskanban_live;
            mskanban_live_authz_uri /fake-core/$case/;
        }
        location /fake-answer/fake-core/$case { $adds return 204; }
CONF
}
$extra .= <<'CONF';
        location /fake-core/ {
            internal;
            proxy_pass http://127.0.0.1:$server_port/fake-answer$uri;
        }
CONF
my $ng = MSKanban::WS::Nginx->new($t, name => 'authz-answers', extra => $extra);

my $logged = qr/the core answered without X-MSKanban-User, -Session, -Workspace and -Board/;
my $ticket = 'T' x 43;

subtest 'relay: an answer with every header upgrades' => sub {
    my $ws = $ng->connect('/api/ws/card:fakeall', ticket => $ticket);
    is($ws->status, 101, 'upgraded');
    $ws->close;
};

for my $case ('nows', 'nob') {
    subtest "relay: an answer without $cases{$case}[0] is refused" => sub {
        my $before = () = $ng->log_text =~ /$logged/g;
        my $ws = $ng->connect("/api/ws/card:fake$case", ticket => $ticket);
        is($ws->status, 503, 'refused: 503');
        is($ws->json && $ws->json->{error}{code}, 'UNAVAILABLE', 'JSON error');
        my $after = () = $ng->log_text =~ /$logged/g;
        is($after, $before + 1, 'the core\'s fault is logged');
    };
}

my $ua = Mojo::UserAgent->new(inactivity_timeout => 5, request_timeout => 5);
for my $case ('nows', 'nob') {
    subtest "live stream: an answer without $cases{$case}[0] is refused" => sub {
        my $before = () = $ng->log_text =~ /$logged/g;
        my $tx = $ua->get($ng->url . "/api/boards/fake$case/live" => { Accept => 'text/event-stream' });
        my $res = $tx->result;
        ok(!($res->code == 200 && ($res->headers->content_type // '') =~ m{text/event-stream}
             && $res->body =~ /^(id|event|data):/m), 'no stream: ' . $res->code);
        my $after = () = $ng->log_text =~ /$logged/g;
        is($after, $before + 1, 'the core\'s fault is logged');
    };
}

subtest 'live stream: an answer with every header is not refused for it' => sub {
    my $before = () = $ng->log_text =~ /$logged/g;
    my $tx = $ua->get($ng->url . '/api/boards/fakeall/live' => { Accept => 'text/event-stream' });
    my $after = () = $ng->log_text =~ /$logged/g;
    is($after, $before, 'nothing logged');
};

$ng->stop;
unlike($ng->log_text, qr/exited on signal|\[(alert|emerg|crit)\]/, 'no crash, no alert');
done_testing;
