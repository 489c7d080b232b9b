# Webhooks: CRUD by owners only (secret shown once, sealed at rest, rotatable); the
# outbox (a delivery per subscribed event, written with the activity row); delivery by
# the stack's mskanban-jobs to a real receiver on 127.0.0.2 (allow-listed by the test
# stack): the documented body and headers, the signature checked by the exact example in
# docs/webhooks.md, retries on the (scaled) schedule, dead-letter after the sixth retry,
# requeue, 4xx refused for good; the deliveries list; the address guard with loopback
# targets only (receivers on 127.0.0.1 and ::1 that must never be reached).
use strict;
use warnings;
use Test::More;
use Time::HiRes qw(time sleep);
use File::Temp qw(tempfile);
use Mojo::JSON qw(encode_json decode_json true false);
use MSKanban::Test;
use MSKanban::Kanban;
use MSKanban::Receiver;

my $t = MSKanban::Test->new;
my $k = MSKanban::Kanban->new($t);
my ($alice, $bob, $vera, $mallory) = ($t->user, $t->user, $t->user, $t->user);
my $anon = $t->client;
my $dbh = $t->dbh;
my $ws = $k->workspace($alice)->{id};
$k->invite($alice, $ws, $bob, 'member');
$k->invite($alice, $ws, $vera, 'viewer');
my $b = $k->board($alice, $ws)->{id};
my $col = $k->column($alice, $b)->{id};
my $scale = 0.00005;    # webhook_retry_scale of the test stack (scripts/stack)
my @schedule = map { $_ * $scale } 30, 120, 600, 3600, 21600, 86400;

# Receivers that must never be reached: 127.0.0.1 and ::1 (not allow-listed).
my $forbidden4 = MSKanban::Receiver->new(host => '127.0.0.1');
my $forbidden6 = eval { MSKanban::Receiver->new(host => '::1', port => $forbidden4->port) }
    // MSKanban::Receiver->new(host => '::1');
my $hooks_of = sub { $t->count_rows('SELECT 1 FROM webhooks WHERE board_id = ?', $b) };
my $deliveries_of = sub { $dbh->selectall_arrayref('SELECT * FROM webhook_deliveries WHERE webhook_id = ? ORDER BY id', { Slice => {} }, $_[0]) };
my $wait_state = sub {
    my ($id, $state, $timeout) = @_;
    my $deadline = time + ($timeout // 20);
    while (time < $deadline) {
        my $s = $dbh->selectrow_array('SELECT state FROM webhook_deliveries WHERE id = ?', undef, $id) // '';
        return $s if $s eq $state;
        sleep 0.05;
    }
    return $dbh->selectrow_array('SELECT state FROM webhook_deliveries WHERE id = ?', undef, $id);
};

# --- CRUD ------------------------------------------------------------------------------------
my $ok = MSKanban::Receiver->new(host => '127.0.0.2', fail => 2);
my $r = $alice->post("/boards/$b/webhooks", { url => $ok->url, events => ['CARD_CREATED', 'CARD_MOVED'] });
$t->ok_status($r, 201, 'owner creates a webhook');
my $hook = $r->{json}{webhook};
like($hook->{secret}, qr/^whsec_[A-Za-z0-9_-]{43}$/, 'the secret is shown at creation');
my $secret = $hook->{secret};
is_deeply($hook->{events}, ['CARD_CREATED', 'CARD_MOVED'], 'events stored');
ok($hook->{enabled}, 'enabled by default');
my $sealed = $dbh->selectrow_array('SELECT secret_sealed FROM webhooks WHERE id = ?', undef, $hook->{id});
ok($sealed && index($sealed, $secret) < 0 && index($sealed, substr($secret, 6)) < 0, 'stored sealed, not in plaintext');

$r = $alice->get("/boards/$b/webhooks");
$t->ok_status($r, 200, 'owner lists webhooks');
is(scalar @{ $r->{json}{webhooks} }, 1, 'one webhook');
ok(!exists $r->{json}{webhooks}[0]{secret}, 'the list never shows the secret');

my $before = $hooks_of->();
for my $case (
    [{}, 'no url'], [{ url => 'ftp://127.0.0.2/x' }, 'not http'], [{ url => 'http://user@127.0.0.2/' }, 'user info'],
    [{ url => 'http://127.0.0.1:9/' }, 'loopback literal'], [{ url => 'http://[::1]:9/' }, 'IPv6 loopback literal'],
    [{ url => 'http://[::ffff:127.0.0.1]:9/' }, 'mapped loopback literal'], [{ url => 'http://10.0.0.1/' }, 'private literal'],
    [{ url => 'http://169.254.169.254/latest/meta-data' }, 'metadata literal'], [{ url => 'http://0.0.0.0:9/' }, '0.0.0.0'],
    [{ url => 'http://2130706433/' }, 'numeric host'], [{ url => 7 }, 'url not a string'],
    [{ url => $ok->url, events => 'CARD_MOVED' }, 'events not an array'], [{ url => $ok->url, events => ['card_moved'] }, 'bad verb'],
    [{ url => $ok->url, enabled => 'yes' }, 'enabled not a boolean'],
) {
    $t->error_is($alice->post("/boards/$b/webhooks", $case->[0]), 400, 'BAD_REQUEST', "create webhook: $case->[1]");
}
is($hooks_of->(), $before, 'bad input stored nothing');
$t->error_is($bob->post("/boards/$b/webhooks", { url => $ok->url }), 403, 'FORBIDDEN', 'a member cannot add webhooks');
$t->error_is($bob->get("/boards/$b/webhooks"), 403, 'FORBIDDEN', 'a member cannot list them');
$t->error_is($vera->get("/boards/$b/webhooks"), 403, 'FORBIDDEN', 'nor a viewer');
$t->error_is($mallory->get("/boards/$b/webhooks"), 404, 'NOT_FOUND', 'non-member: 404');
$t->error_is($mallory->patch("/webhooks/$hook->{id}", { enabled => false }), 404, 'NOT_FOUND', 'non-member patch: 404');
$t->error_is($anon->get("/boards/$b/webhooks"), 401, 'UNAUTHORIZED', 'no session: 401');
$t->error_is($bob->patch("/webhooks/$hook->{id}", { rotateSecret => true }), 403, 'FORBIDDEN', 'a member cannot rotate');
is($hooks_of->(), $before, 'refused requests stored nothing');

my $spare = $alice->post("/boards/$b/webhooks", { url => $ok->url, enabled => false })->{json}{webhook};
$r = $alice->patch("/webhooks/$spare->{id}", { rotateSecret => true });
$t->ok_status($r, 200, 'rotate the secret');
like($r->{json}{webhook}{secret}, qr/^whsec_/, 'the new secret is shown');
isnt($r->{json}{webhook}{secret}, $spare->{secret}, 'and differs');
$t->error_is($alice->patch("/webhooks/$spare->{id}", {}), 400, 'BAD_REQUEST', 'patch: nothing to change');
$t->error_is($alice->patch("/webhooks/$spare->{id}", { rotateSecret => false }), 400, 'BAD_REQUEST', 'patch: rotateSecret false');
$t->error_is($alice->patch("/webhooks/$spare->{id}", { url => 'http://192.168.1.1/' }), 400, 'BAD_REQUEST', 'patch: private url');
$r = $alice->patch("/webhooks/$spare->{id}", { events => [] });
$t->ok_status($r, 200, 'events cleared (every verb)');
ok(!exists $r->{json}{webhook}{secret}, 'no secret without a rotation');
$t->ok_status($alice->delete("/webhooks/$spare->{id}"), 204, 'delete');
$t->error_is($alice->delete("/webhooks/$spare->{id}"), 404, 'NOT_FOUND', 'deleted: 404');

# --- outbox and delivery -------------------------------------------------------------------------
my $card = $k->card($alice, $col)->{id};
my $act = $dbh->selectrow_array(q{SELECT id FROM activity WHERE target_id = ? AND verb = 'CARD_CREATED'}, undef, $card);
my $ds = $deliveries_of->($hook->{id});
is(scalar @$ds, 1, 'one delivery for the subscribed verb');
is($ds->[0]{activity_id}, $act, 'written with its activity row');
like($ds->[0]{id}, qr/^[0-9A-HJKMNP-TV-Z]{26}$/, 'the delivery id is a ULID');
$alice->patch("/cards/$card", { encTitle => envelope() });
is(scalar @{ $deliveries_of->($hook->{id}) }, 1, 'no delivery for a verb the webhook does not take');

is($wait_state->($ds->[0]{id}, 'delivered'), 'delivered', 'delivered after two failures');
my $reqs = $ok->requests;
is(scalar @$reqs, 3, 'three attempts reached the receiver');
my $req = $reqs->[2];
is($req->{method}, 'POST', 'POST');
is($req->{headers}{'content-type'}, 'application/json', 'JSON body');
is($req->{headers}{'x-mskanban-event'}, 'CARD_CREATED', 'X-MSKanban-Event');
is($req->{headers}{'x-mskanban-delivery-id'}, $ds->[0]{id}, 'X-MSKanban-Delivery-Id is the delivery id');
is($reqs->[0]{headers}{'x-mskanban-delivery-id'}, $ds->[0]{id}, 'the same id on every attempt');
like($req->{headers}{'x-mskanban-signature'}, qr/^t=\d+,v1=[0-9a-f]{64}$/, 'X-MSKanban-Signature shape');
my $body = decode_json($req->{body});
is_deeply([ sort keys %$body ], [qw(actorId boardId cardId metadata timestamp verb)], 'exactly the documented body');
is($body->{verb}, 'CARD_CREATED', 'verb');
is($body->{boardId}, $b, 'boardId');
is($body->{cardId}, $card, 'cardId');
is($body->{actorId}, $alice->id, 'actorId');
like($body->{timestamp}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, 'timestamp');
is($body->{metadata}{targetId}, $card, 'metadata carries the target');

# The receiver example of docs/webhooks.md, run exactly as written (Node.js).
my ($example) = do { local $/; open my $fh, '<', $t->src . '/docs/webhooks.md' or die; <$fh> } =~ /```js\n(.*?)```/s;
ok($example, 'the docs hold a verification example');
my $verify = sub {
    my ($sec, $sig, $raw) = @_;
    my ($fh, $file) = tempfile(SUFFIX => '.js', UNLINK => 1);
    print {$fh} $example, "\nconst fs = require('fs');\nconst i = JSON.parse(fs.readFileSync(0, 'utf8'));\n",
        "process.stdout.write(String(verifyMskanban(i.secret, i.sig, i.body)));\n";
    close $fh;
    my ($in, $infile) = tempfile(UNLINK => 1);
    print {$in} encode_json({ secret => $sec, sig => $sig, body => $raw });
    close $in;
    my $out = `node "$file" < "$infile"`;
    return $out;
};
SKIP: {
    skip 'no node', 3 unless `node --version 2>/dev/null`;
    is($verify->($secret, $req->{headers}{'x-mskanban-signature'}, $req->{body}), 'true', 'the documented example verifies the signature');
    is($verify->($secret, $req->{headers}{'x-mskanban-signature'}, $req->{body} . ' '), 'false', 'and refuses a changed body');
    is($verify->('whsec_wrong', $req->{headers}{'x-mskanban-signature'}, $req->{body}), 'false', 'and a wrong secret');
}

my $attempts = $dbh->selectall_arrayref('SELECT n, status, error, response FROM webhook_attempts WHERE delivery_id = ? ORDER BY n', { Slice => {} }, $ds->[0]{id});
is_deeply([ map { $_->{status} } @$attempts ], [500, 500, 200], 'each attempt recorded with its status');
is($attempts->[2]{response}, 'answer 3', 'and the answer');

# --- retries on the schedule, dead-letter, requeue ------------------------------------------------------
my $flaky = MSKanban::Receiver->new(host => '127.0.0.2', fail => 7);
my $dead = $alice->post("/boards/$b/webhooks", { url => $flaky->url, events => ['CARD_MOVED'] })->{json}{webhook};
my $col2 = $k->column($alice, $b)->{id};
$t->ok_status($alice->patch("/cards/$card/move", { toColumnId => $col2 }), 200, 'move a card');
my ($dd) = @{ $deliveries_of->($dead->{id}) };
is($wait_state->($dd->{id}, 'dead', 30), 'dead', 'dead-lettered when the sixth retry fails');
$reqs = $flaky->requests;
is(scalar @$reqs, 7, 'the first attempt and six retries');
my @gaps = map { $reqs->[$_]{t} - $reqs->[ $_ - 1 ]{t} } 1 .. $#$reqs;
for my $i (0 .. 5) {
    # Never early; late by at most the 10 % jitter and the runner's latency.
    ok($gaps[$i] >= $schedule[$i] * 0.98, sprintf('retry %d after %.3f s, not before %.3f s', $i + 1, $gaps[$i], $schedule[$i]));
}
ok($gaps[4] <= $schedule[4] * 1.1 + 0.5, sprintf('retry 5 on time (%.3f s of %.3f s)', $gaps[4], $schedule[4]));
ok($gaps[5] <= $schedule[5] * 1.1 + 0.5, sprintf('retry 6 on time (%.3f s of %.3f s)', $gaps[5], $schedule[5]));
$r = $alice->get("/webhooks/$dead->{id}/deliveries");
$t->ok_status($r, 200, 'list deliveries');
my ($listed) = grep { $_->{id} eq $dd->{id} } @{ $r->{json}{deliveries} };
is($listed->{state}, 'dead', 'listed as dead');
is(scalar @{ $listed->{attempts} }, 7, 'with its seven attempts');
is($listed->{payload}{verb}, 'CARD_MOVED', 'and the body it sent');
$t->error_is($bob->post("/webhooks/deliveries/$dd->{id}/requeue"), 403, 'FORBIDDEN', 'a member cannot requeue');
$t->error_is($mallory->post("/webhooks/deliveries/$dd->{id}/requeue"), 404, 'NOT_FOUND', 'non-member requeue: 404');
$t->ok_status($alice->post("/webhooks/deliveries/$dd->{id}/requeue"), 204, 'requeue');
is($wait_state->($dd->{id}, 'delivered'), 'delivered', 'a requeued delivery is delivered');
is($flaky->count, 8, 'by one more attempt');
$t->error_is($alice->post("/webhooks/deliveries/$dd->{id}/requeue"), 409, 'CONFLICT', 'a delivered one cannot be requeued');
$t->error_is($alice->post('/webhooks/deliveries/01ARZ3NDEKTSV4RRFFQ69G5FAV/requeue'), 404, 'NOT_FOUND', 'unknown delivery');
is($dbh->selectrow_array('SELECT count(*) FROM webhook_attempts WHERE delivery_id = ?', undef, $dd->{id}), 8, 'every attempt kept');

# --- 4xx: refused for good -----------------------------------------------------------------------
my $gone = MSKanban::Receiver->new(host => '127.0.0.2', status => 410);
my $h410 = $alice->post("/boards/$b/webhooks", { url => $gone->url, events => ['CARD_UPDATED'] })->{json}{webhook};
$alice->patch("/cards/$card", { encTitle => envelope() });
my ($d410) = @{ $deliveries_of->($h410->{id}) };
is($wait_state->($d410->{id}, 'failed'), 'failed', 'a 410 fails the delivery');
sleep 0.5;
is($gone->count, 1, 'and is not retried');

# --- pagination ---------------------------------------------------------------------------------------
$r = $alice->get("/webhooks/$hook->{id}/deliveries?limit=1");
$t->ok_status($r, 200, 'a page of one');
$t->error_is($alice->get("/webhooks/$hook->{id}/deliveries?limit=0"), 400, 'BAD_REQUEST', 'bad limit');
$t->error_is($alice->get("/webhooks/$hook->{id}/deliveries?before=nope"), 400, 'BAD_REQUEST', 'bad cursor');
$t->error_is($bob->get("/webhooks/$hook->{id}/deliveries"), 403, 'FORBIDDEN', 'a member cannot list deliveries');

# --- the address guard, loopback targets only ---------------------------------------------------------------
# Names that resolve to loopback, literals stored behind the API's back, a redirect to
# loopback from an allow-listed receiver: each delivery fails, no forbidden receiver is hit.
my $redirector = MSKanban::Receiver->new(host => '127.0.0.2', redirect => $forbidden4->url('/stolen'));
my @guarded = (
    ['http://localhost:' . $forbidden4->port . '/hook', 'refused', 'a name resolving to loopback'],
    ['http://localhost.:' . $forbidden4->port . '/hook', 'refused', 'the same name, fully qualified'],
    ['http://127.0.0.1:' . $forbidden4->port . '/hook', 'refused', 'an IPv4 loopback literal'],
    ['http://[::1]:' . $forbidden6->port . '/hook', 'refused', 'an IPv6 loopback literal'],
    ['http://[::ffff:127.0.0.1]:' . $forbidden4->port . '/hook', 'refused', 'a mapped loopback literal'],
    ['http://0.0.0.0:' . $forbidden4->port . '/hook', 'refused', '0.0.0.0'],
    [$redirector->url, '', 'a redirect to loopback'],
);
for my $g (@guarded) {
    # The API refuses these literals (above), so the URL is set behind its back.
    my $id = $alice->post("/boards/$b/webhooks", { url => $ok->url, events => ['COLUMN_UPDATED'] })->{json}{webhook}{id};
    $dbh->do('UPDATE webhooks SET url = ? WHERE id = ?', undef, $g->[0], $id);
    $g->[3] = $id;
}
$t->ok_status($alice->patch("/columns/$col2", { encName => envelope() }), 200, 'an event for the guarded webhooks');
for my $g (@guarded) {
    my ($d) = @{ $deliveries_of->($g->[3]) };
    is($wait_state->($d->{id}, 'failed'), 'failed', "$g->[2]: failed for good");
    my $err = $dbh->selectrow_array('SELECT last_error FROM webhook_deliveries WHERE id = ?', undef, $d->{id}) // '';
    like($err, qr/^refused/, "$g->[2]: refused by the guard ($err)") if $g->[1];
}
is($redirector->count, 1, 'the allow-listed receiver answered the redirect');
is($forbidden4->count, 0, 'the receiver on 127.0.0.1 was never reached');
is($forbidden6->count, 0, 'the receiver on ::1 was never reached');

$_->stop for $ok, $flaky, $gone, $redirector, $forbidden4, $forbidden6;
done_testing;
