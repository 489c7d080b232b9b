package MSKanban::Front;
# The checks every front server must pass (t/70apache.t, t/71lighttpd.t): the REST API
# through it (accounts, kanban, a move), the JSON error shape for errors from the workers
# and from the server itself, 401/404, Origin, body limits, the client's address for
# per-IP rate limits, and live updates from the workers (the JSON long-poll and the short
# SSE answer at /live). $ft is an MSKanban::Test whose clients talk to that server.
#
#   MSKanban::Front::check_api($ft, 'apache');
#   MSKanban::Front::check_live_poll($ft, 'apache', sse => 1);
#   MSKanban::Front::check_attachment($ft, 'lighttpd');   # workers with x-sendfile
use strict;
use warnings;
use Test::More;
use Time::HiRes qw(time);
use Mojo::UserAgent;
use MSKanban::Test qw(envelope);
use MSKanban::Kanban;
use MSKanban::Live;
use MSKanban::Nginx;
use MSKanban::WS;

sub check_api {
    my ($ft, $name, %o) = @_;
    my $k = MSKanban::Kanban->new($ft);
    subtest "$name: the REST API" => sub {
        $ft->ok_status($ft->client->get('/health'), 200, 'health');
        my ($alice, $bob) = ($ft->user, $ft->user);
        $ft->ok_status($alice->get('/me'), 200, 'registered and logged in; /me');
        my $ws = $k->workspace($alice)->{id};
        my $board = $k->board($alice, $ws)->{id};
        my ($c1, $c2) = map { $k->column($alice, $board)->{id} } 1 .. 2;
        my $card = $k->card($alice, $c1)->{id};
        my $r = $alice->patch("/cards/$card/move", { toColumnId => $c2 });
        $ft->ok_status($r, 200, 'move a card');
        is($r->{json}{card}{columnId}, $c2, 'moved');
        $ft->ok_status($alice->get("/boards/$board/cards"), 200, 'list cards');

        $ft->error_is($ft->client->get('/me'), 401, 'UNAUTHORIZED', 'no session: 401');
        $ft->error_is($bob->get("/boards/$board"), 404, 'NOT_FOUND', 'non-member: 404');
        $ft->error_is($alice->post("/columns/$c1/cards", { encTitle => 'plain' }), 400, 'BAD_REQUEST', 'bad input: 400');
        # 413 and 415 can answer any mutation (the document says so on every route)
        my $raw = sub { $alice->post("/columns/$c1/cards", $_[0], { 'Content-Type' => $_[1] }) };
        my $u = $raw->('{"encTitle":"x"}', 'text/plain');
        is($u->{status}, 415, 'a mutation that is not JSON: 415');
        is($u->{json}{error}{code}, 'UNSUPPORTED_MEDIA_TYPE', '... with the JSON error');
        $ft->error_is($alice->post("/columns/$c1/cards", { encTitle => envelope() }, { Origin => 'https://evil.example' }),
            403, 'FORBIDDEN', 'a foreign Origin: 403');
        $ft->ok_status($alice->post("/columns/$c1/cards", { encTitle => envelope() }, { Origin => 'http://127.0.0.1:' . $ft->env('MSKANBAN_PORT') }),
            201, 'an allowed Origin');

        my $nope = $ft->client->get('/no/such/route', undef, undef, { undocumented => 1 });
        is($nope->{status}, 404, 'unknown route: 404');
        is($nope->{json}{error}{code}, 'NOT_FOUND', '... as JSON');
        my $int = $ft->client->get("/internal/authz/board/$board", undef, undef, { undocumented => 1 });
        is($int->{status}, 404, 'an internal route from outside: 404');
        is($int->{json}{error}{code}, 'NOT_FOUND', '... as JSON') or diag $int->{body};

        my $big = $raw->('{"encTitle":"' . ('A' x (1536 * 1024)) . '"}', 'application/json');
        is($big->{status}, 413, 'a body over the worker limit: 413');
        is(eval { $big->{json}{error}{code} }, 'PAYLOAD_TOO_LARGE', '... the JSON error');
        my $huge = $raw->('{"encTitle":"' . ('A' x (3 * 1024 * 1024)) . '"}', 'application/json');
        is($huge->{status}, 413, "a body over $name\'s own limit: 413") or diag "$huge->{status} " . substr($huge->{body} // '', 0, 300);
        is(eval { $huge->{json}{error}{code} }, 'PAYLOAD_TOO_LARGE', '... the JSON error') or diag substr($huge->{body}, 0, 300);
        is($ft->owned_rows(cards => $alice->id), 2, 'nothing stored by the refused requests');
    };

    subtest "$name: per-IP rate limits see the client's address" => sub {
        my $c = $ft->client;
        # The limit is a sliding estimate over fixed one-minute windows: requests made
        # before a window boundary count with a shrinking weight after it, so a slow burst
        # (a new process per request under mod_fcgid, on a loaded machine) that straddles a
        # boundary could slip an 11th request through. Start the burst early in a window.
        my $left = 60 - time % 60;
        sleep $left + 1 if $left < 25;
        my @codes = map { $c->post('/auth/login-init', { email => 'x@example.org' })->{status} } 1 .. 11;
        is_deeply([@codes[0 .. 9]], [(200) x 10], 'ten login-init from one address');
        my $r = $c->post('/auth/login-init', { email => 'x@example.org' });
        $ft->error_is($r, 429, 'RATE_LIMITED', 'then 429');
        ok($r->{headers}{'Retry-After'}, 'with Retry-After');
        is($ft->client->post('/auth/login-init', { email => 'x@example.org' })->{status}, 200,
            'another address is not limited');
    };
}

# A front server whose workers cannot be reached answers the API's JSON 503.
sub check_unreachable {
    my ($url, $name) = @_;
    my $c = MSKanban::Test->client(base => "$url/api");    # checked against OpenAPI
    for my $path ('/health', '/me') {
        my $res = $c->get($path);
        is($res->{status}, 503, "$name, no worker: $path 503");
        is($res->{json}{error}{code}, 'UNAVAILABLE', '... the JSON error') or diag $res->{body};
        like($res->{headers}{'Content-Type'} // '', qr{^application/json}, '... as application/json');
    }
}

sub check_live_poll {
    my ($ft, $name, %o) = @_;
    subtest "$name: live updates from the workers (long-poll)" => sub {
        my ($alice, $bob) = ($ft->user, $ft->user);
        my ($ws, $board) = MSKanban::Live::board($ft, $alice);
        my $poll = "/boards/$board/live/poll";
        $ft->error_is($ft->client->get($poll), 401, 'UNAUTHORIZED', 'poll: 401');
        $ft->error_is($bob->get($poll), 404, 'NOT_FOUND', 'poll: non-member 404');
        my $t0 = time;
        my $r = $alice->get("$poll?wait=1");
        $ft->ok_status($r, 200, 'poll from now on');
        cmp_ok(time - $t0, '<', 3, 'the wait is bounded');
        my $cursor = $r->{json}{lastEventId};
        MSKanban::Live::touch_board($alice, $board) for 1 .. 2;
        $r = $alice->get("$poll?wait=5&lastEventId=$cursor");
        $ft->ok_status($r, 200, 'poll after two mutations');
        is(scalar @{ $r->{json}{events} }, 2, 'both ticks');
        is($r->{headers}{'X-MSKanban-Live'}, 'poll', 'X-MSKanban-Live: poll');
        return unless $o{sse};

        # /live without the module: the workers answer one poll as a short SSE response.
        my $live = "/boards/$board/live";
        $ft->error_is($ft->client->get($live), 401, 'UNAUTHORIZED', 'SSE: 401');
        $ft->error_is($bob->get($live), 404, 'NOT_FOUND', 'SSE: non-member 404');
        my $s = $alice->get("$live?wait=0", undef, { 'Last-Event-ID' => $cursor });
        is($s->{status}, 200, 'SSE from the workers');
        like($s->{headers}{'Content-Type'}, qr{^text/event-stream}, 'text/event-stream');
        is($s->{headers}{'X-MSKanban-Live'}, 'poll', 'X-MSKanban-Live: poll tells the client it polls');
        my @ids = $s->{body} =~ /^id: (\S+)$/mg;
        is_deeply(\@ids, [map { $_->{id} } @{ $r->{json}{events} }], 'the same ids as the long-poll');
        like($s->{body}, qr/\Aretry: \d+\n\n/, 'retry hint first');
        like($s->{body}, qr/^event: BOARD_UPDATED$/m, 'event is the verb');
        my $fresh = $alice->get("$live?wait=0");
        like($fresh->{body}, qr/^id: \d+-\d+\n\n/m, 'without Last-Event-ID: an id-only block sets the cursor');
    };
}

# The smallest relay setup for a server without the module: nginx with the module on a
# loopback port, serving only what the front server forwards (the live stream and the
# relay) plus the internal location they ask the workers through.
sub sidecar {
    my ($t) = @_;
    my $src = $t->src;
    return MSKanban::Nginx->new($t, kind => 'sidecar', so => MSKanban::WS::module_so($t),
        server => "include \"$src/conf/nginx/mskanban-live.conf\";\n        include \"$src/conf/nginx/mskanban-ws.conf\";",
        ready => sub {
            # one subscriber connection per worker, for the stream and the relay
            my @ready = $_[0]->log_text =~ /redis subscriber connection .* ready/g;
            return scalar @ready;
        });
}

# Through the front server on $port: the module's SSE stream held open with a tick
# arriving at once, /live/poll still from the workers, and the relay (two clients, one
# message relayed unchanged, a bad ticket refused).
sub check_sidecar {
    my ($ft, $name, $port) = @_;
    my $alice = $ft->user;
    my ($ws, $board, $card) = MSKanban::WS::card($ft, $alice);

    my $stream = MSKanban::Live::Stream->new($ft->url . "/api/boards/$board/live", user => $alice);
    MSKanban::Live::wait_until(sub { defined $stream->retry }, 5);
    is($stream->status, 200, "the module's stream through $name");
    MSKanban::Live::wait_until(sub { $stream->done }, 1.5);
    ok(!$stream->done, "held open (not the workers' short answer)");
    MSKanban::Live::touch_board($alice, $board);
    ok($stream->wait_events(1, 5), "a tick arrives through $name at once");
    $stream->close;
    my $r = $alice->get("/boards/$board/live/poll?wait=0");
    $ft->ok_status($r, 200, '/live/poll still reaches the workers');

    my $room = "card:$card";
    my $a = MSKanban::WS::Raw->new($port, "/api/ws/$room?t=" . MSKanban::WS::ticket($alice, $room));
    my $b = MSKanban::WS::Raw->new($port, "/api/ws?t=" . MSKanban::WS::ticket($alice, $room));
    is($a->status, 101, "upgrade through $name (room in the path)");
    is($b->status, 101, "upgrade through $name (room from the ticket)");
    select undef, undef, undef, 0.5;
    $a->send_binary("\x00\x01encrypted-update");
    my $m = $b->read_message(5);
    is($m && $m->{payload}, "\x00\x01encrypted-update", "one message relayed through $name, unchanged");
    my $bad = MSKanban::WS::Raw->new($port, '/api/ws?t=' . ('x' x 43));
    is($bad->status, 401, 'a bad ticket is refused (401)');
    $a->close;
    $b->close;
}

# An attachment through the server: the upload reaches the worker on stdin (spooled
# into attachment_dir), the download is the server's X-Sendfile of the stored file.
# 3 MB: above the API's general body limit, within the upload location's.
sub check_attachment {
    my ($ft, $name) = @_;
    my $k = MSKanban::Kanban->new($ft);
    subtest "$name: attachment upload and download" => sub {
        my $alice = $ft->user;
        my $ws = $k->workspace($alice)->{id};
        my $card = $k->card($alice, $k->column($alice, $k->board($alice, $ws)->{id})->{id})->{id};
        my $bytes = substr(MSKanban::Test::random_bytes(65_537) x 46, 0, 3_000_000);
        my $id = sprintf 'cfatt%x%s', $$, join '', map { ('0' .. '9', 'a' .. 'z')[rand 36] } 1 .. 10;
        my $r = $alice->post("/cards/$card/attachments", $bytes, { 'Content-Type' => 'application/octet-stream',
            'X-Attachment-Id' => $id, 'X-Attachment-Meta' => envelope(60) });
        $ft->ok_status($r, 201, 'uploaded');
        is($r->{json}{attachment}{size}, length $bytes, 'its size');
        $r = $alice->get("/attachments/$id");
        $ft->ok_status($r, 200, 'downloaded');
        is(length $r->{body}, length $bytes, 'as many bytes as uploaded');
        ok($r->{body} eq $bytes, 'the bytes as uploaded');
        ok(!grep({ /^x-(sendfile|accel-redirect|lighttpd-send-file)$/i } keys %{ $r->{headers} }), 'no storage path to the client');
    };
}

1;
