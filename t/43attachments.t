# Attachments: upload (nginx writes the body to a file, the worker renames it into
# storage), list, download through X-Accel-Redirect (ranges), delete; the 25 MiB limit
# (413 before anything is stored, the exact limit accepted), the workspace quota (413),
# a truncated upload, a foreign card (404), a viewer (403), no session (401), bad headers
# (400/415), Idempotency-Key, activity and board version; files of a deleted card go
# with `mskanbanctl gc`, which also removes uncommitted files; `mskanbanctl check`
# reports a row whose file is missing.
use strict;
use warnings;
use Test::More;
use IO::Socket::INET;
use Digest::SHA qw(sha256_hex);
use MSKanban::Test;
use MSKanban::Kanban;
use MSKanban::Nginx;
use MSKanban::WS;

my $t = MSKanban::Test->new;
my $k = MSKanban::Kanban->new($t);
my $dir = $t->env('MSKANBAN_ATTACHMENT_DIR');
plan skip_all => 'the stack has no attachment_dir' unless $dir && -d $dir;
my ($alice, $bob, $vera, $mallory) = map { $t->user } 1 .. 4;  # owner, member, viewer, outsider
my $anon = $t->client;
my $ws = $k->workspace($alice)->{id};
$k->invite($alice, $ws, $bob, 'member');
$k->invite($alice, $ws, $vera, 'viewer');
my $b = $k->board($alice, $ws)->{id};
my $col = $k->column($alice, $b)->{id};
my $card = $k->card($alice, $col)->{id};
my $version = sub { $t->dbh->selectrow_array('SELECT version FROM boards WHERE id = ?', undef, $b) };
my $rows_of = sub { $t->count_rows('SELECT 1 FROM attachments WHERE card_id = ?', $_[0] // $card) };
my $ctl = sub {
    my $cmd = join ' ', map { "'$_'" } $t->env('MSKANBAN_BUILD') . '/mskanbanctl', '-c', $t->env('MSKANBAN_CONFIG'), @_;
    my $out = `$cmd 2>&1`;
    return ($? >> 8, $out);
};

my $n = 0;
sub new_id { sprintf 'catt%x%05d%s', $$, ++$n, join '', map { ('0' .. '9', 'a' .. 'z')[rand 36] } 1 .. 8 }
# A stand-in for a client's secretstream: the server cannot tell random bytes from one.
sub stream { my $n = shift; substr(MSKanban::Test::random_bytes(65_537) x (int($n / 65_537) + 1), 0, $n) }
my $MAX = 26_221_224;    # the stream of a 25 MiB file: 24 + 26214400 + 400 * 17
sub upload {
    my ($c, $card_id, $bytes, %h) = @_;
    my $id = exists $h{id} ? delete $h{id} : new_id();
    my %headers = ('Content-Type' => 'application/octet-stream', 'X-Attachment-Meta' => envelope(60), %h);
    $headers{'X-Attachment-Id'} = $id if defined $id;
    delete $headers{$_} for grep { !defined $headers{$_} } keys %headers;
    return $c->post("/cards/$card_id/attachments", $bytes, \%headers);
}
sub stored { my $name = shift; local $/; open my $fh, '<:raw', "$dir/$name" or return undef; <$fh> }
my $name_of = sub { $t->dbh->selectrow_array('SELECT storage_name FROM attachments WHERE id = ?', undef, $_[0]) };

# --- upload, list, download -------------------------------------------------------------
my $v0 = $version->();
my $bytes = stream(200_000);
my $meta = envelope(80);
my $r = upload($bob, $card, $bytes, 'X-Attachment-Meta' => $meta);
$t->ok_status($r, 201, 'member uploads');
my $att = $r->{json}{attachment};
is($att->{size}, length $bytes, 'size of the stream');
is($att->{encMeta}, $meta, 'envelope stored unchanged');
is($att->{uploaderId}, $bob->id, 'uploader');
is($att->{cardId}, $card, 'card');
my $name = $name_of->($att->{id});
like($name, qr/^[0-9a-f]{32}$/, 'stored under a random name');
is(sha256_hex(stored($name) // ''), sha256_hex($bytes), 'the stored file holds the uploaded bytes');
ok($version->() > $v0, 'board version bumped');
my $act = $t->dbh->selectrow_hashref(q{SELECT verb, target_type, target_id, metadata::text AS meta FROM activity
    WHERE board_id = ? ORDER BY seq DESC LIMIT 1}, undef, $b);
is("$act->{verb} $act->{target_type} $act->{target_id}", "ATTACHMENT_ADDED attachment $att->{id}", 'activity row');
unlike($act->{meta}, qr/v1\./, 'no ciphertext in the activity metadata');

$r = $vera->get("/cards/$card/attachments");
$t->ok_status($r, 200, 'viewer lists');
is_deeply([ map { $_->{id} } @{ $r->{json}{attachments} } ], [ $att->{id} ], 'the list');

$r = $vera->get("/attachments/$att->{id}");
$t->ok_status($r, 200, 'viewer downloads');
ok($r->{body} eq $bytes, 'the bytes as uploaded');
like($r->{headers}{'Content-Type'}, qr{^application/octet-stream}, 'binary type');
is($r->{headers}{'X-Content-Type-Options'}, 'nosniff', 'nosniff');
unlike($r->{headers}{'X-Accel-Redirect'} // '', qr/./, 'the internal path is not shown');
$r = $vera->get("/attachments/$att->{id}", undef, { Range => 'bytes=1000-1999' });
$t->ok_status($r, 206, 'range');
is($r->{headers}{'Content-Range'}, 'bytes 1000-1999/' . length($bytes), 'Content-Range');
ok($r->{body} eq substr($bytes, 1000, 1000), 'the range of bytes');
$r = $vera->get("/attachments/$att->{id}", undef, { Range => 'bytes=-16' });
$t->ok_status($r, 206, 'suffix range');
ok($r->{body} eq substr($bytes, -16), 'the last 16 bytes');
$r = $anon->get("/attachments/$att->{id}");
$t->error_is($r, 401, 'UNAUTHORIZED', 'download without a session');
$t->error_is($mallory->get("/attachments/$att->{id}"), 404, 'NOT_FOUND', 'download by a non-member');
$t->error_is($mallory->get("/cards/$card/attachments"), 404, 'NOT_FOUND', 'list by a non-member');
$r = $alice->request(GET => "/_mskanban/attachments/$name", undef, undef, { undocumented => 1 });
isnt($r->{status}, 200, 'the internal location is not reachable from outside');
$r = $t->client(base => $t->url)->request(GET => "/_mskanban/attachments/$name", undef, undef, { undocumented => 1 });
is($r->{status}, 404, 'the internal location answers 404 to a client');

# --- refused uploads store nothing ---------------------------------------------------------
my $before = $rows_of->();
$t->error_is(upload($mallory, $card, stream(100)), 404, 'NOT_FOUND', 'upload to a foreign card');
$t->error_is(upload($vera, $card, stream(100)), 403, 'FORBIDDEN', 'viewer uploads');
$t->error_is(upload($anon, $card, stream(100)), 401, 'UNAUTHORIZED', 'upload without a session');
$t->error_is(upload($bob, $card, stream(100), id => undef), 400, 'BAD_REQUEST', 'no X-Attachment-Id');
$t->error_is(upload($bob, $card, stream(100), id => 'NOT AN ID'), 400, 'BAD_REQUEST', 'bad X-Attachment-Id');
$t->error_is(upload($bob, $card, stream(100), 'X-Attachment-Meta' => 'plain name.pdf'), 400, 'BAD_REQUEST', 'plaintext meta');
$t->error_is(upload($bob, $card, stream(100), 'X-Attachment-Meta' => undef), 400, 'BAD_REQUEST', 'no meta');
$t->error_is(upload($bob, $card, stream(40)), 400, 'BAD_REQUEST', 'shorter than any stream');
$t->error_is(upload($bob, $card, stream(100), 'Content-Type' => 'application/json'), 415, 'UNSUPPORTED_MEDIA_TYPE', 'JSON type');
$t->error_is(upload($bob, $card, stream(100), id => $att->{id}), 409, 'CONFLICT', 'id taken');
$t->error_is(upload($bob, 'cnosuchcard000000000000', stream(100)), 404, 'NOT_FOUND', 'no such card');
is($rows_of->(), $before, 'no row stored by a refused upload');

# 25 MiB + 1 byte: the stream is longer than any 25 MiB file's; nginx refuses it before
# storing it (JSON 413), the worker never sees it.
$r = upload($bob, $card, stream($MAX + 1));
$t->error_is($r, 413, 'PAYLOAD_TOO_LARGE', 'a stream above the limit');
is($rows_of->(), $before, 'nothing stored');

# A truncated body: the client says 1000 bytes, sends 500 and goes away.
my ($host, $port) = $t->url =~ m{//([^:/]+):(\d+)};
my $sock = IO::Socket::INET->new(PeerAddr => $host, PeerPort => $port, LocalAddr => $bob->ip) or die "connect: $!";
my $cookie = $bob->cookie;
print $sock "POST /api/cards/$card/attachments HTTP/1.1\r\nHost: $host\r\nCookie: mskanban_session=$cookie\r\n"
    . "Content-Type: application/octet-stream\r\nX-Attachment-Id: " . new_id() . "\r\nX-Attachment-Meta: " . envelope(60)
    . "\r\nContent-Length: 1000\r\n\r\n" . stream(500);
shutdown $sock, 1;
my $answer = '';
while (sysread $sock, my $buf, 4096) { $answer .= $buf }
close $sock;
unlike($answer, qr{^HTTP/1\.1 201}, 'a truncated upload is not accepted');
is($rows_of->(), $before, 'a truncated upload stores no row');

# Exactly the limit is accepted; the quota (41943040 bytes in the test stack) is next.
my $qcard = $k->card($alice, $col)->{id};
$r = upload($alice, $qcard, stream($MAX));
$t->ok_status($r, 201, 'the largest stream is accepted');
my $big = $r->{json}{attachment};
$r = upload($alice, $qcard, stream($MAX));
$t->error_is($r, 413, 'PAYLOAD_TOO_LARGE', 'the workspace quota');
like($r->{json}{error}{message}, qr/quota/, 'the message says it is the quota');
is($rows_of->($qcard), 1, 'no row for the upload past the quota');
# (other tests upload in parallel: the files of this test's rows are what is checked)
ok(defined stored($name_of->($big->{id})), 'the accepted file is stored');
my $other_ws = $k->workspace($alice)->{id};
my $other_card = $k->card($alice, $k->column($alice, $k->board($alice, $other_ws)->{id})->{id})->{id};
$t->ok_status(upload($alice, $other_card, stream(1000)), 201, 'another workspace has its own quota');

# --- Idempotency-Key ----------------------------------------------------------------------
my $key = 'att-' . new_id();
my $id = new_id();
my $payload = stream(5000);
$r = upload($bob, $card, $payload, id => $id, 'Idempotency-Key' => $key, 'X-Attachment-Meta' => $meta);
$t->ok_status($r, 201, 'upload with an Idempotency-Key');
my $again = upload($bob, $card, $payload, id => $id, 'Idempotency-Key' => $key, 'X-Attachment-Meta' => $meta);
$t->ok_status($again, 201, 'the retry');
is($again->{headers}{'Idempotent-Replayed'}, 'true', 'replayed');
is($again->{body}, $r->{body}, 'the first answer');
is($t->count_rows('SELECT 1 FROM attachments WHERE id = ?', $id), 1, 'stored once');
$r = upload($bob, $card, stream(5000), id => new_id(), 'Idempotency-Key' => $key);
isnt($r->{status}, 201, 'the same key with another upload is not a new attachment');

# --- delete -------------------------------------------------------------------------------
$t->error_is($vera->delete("/attachments/$id"), 403, 'FORBIDDEN', 'viewer deletes');
$t->error_is($mallory->delete("/attachments/$id"), 404, 'NOT_FOUND', 'non-member deletes');
$t->error_is($anon->delete("/attachments/$id"), 401, 'UNAUTHORIZED', 'delete without a session');
my $idem_name = $name_of->($id);
$v0 = $version->();
$t->ok_status($alice->delete("/attachments/$id"), 204, 'owner deletes');
ok(!-e "$dir/$idem_name", 'the file is gone');
ok($version->() > $v0, 'board version bumped');
is($t->dbh->selectrow_array('SELECT verb FROM activity WHERE board_id = ? ORDER BY seq DESC LIMIT 1', undef, $b),
    'ATTACHMENT_REMOVED', 'activity row');
$t->error_is($vera->get("/attachments/$id"), 404, 'NOT_FOUND', 'a deleted attachment');
$t->error_is($alice->delete("/attachments/$id"), 404, 'NOT_FOUND', 'deleted twice');

# --- a deleted card's files, uncommitted files, missing files --------------------------------
my $gone = $k->card($alice, $col)->{id};
my $g = upload($alice, $gone, stream(3000))->{json}{attachment};
my $gname = $name_of->($g->{id});
$t->ok_status($alice->delete("/cards/$gone"), 204, 'delete the card');
is($t->count_rows('SELECT 1 FROM attachment_trash WHERE storage_name = ?', $gname)
   + (-e "$dir/$gname" ? 0 : 1), 1, 'its file is queued (or already removed by a worker)');
my $orphan_old = join '', map { sprintf '%x', rand 16 } 1 .. 32;
my $orphan_new = join '', map { sprintf '%x', rand 16 } 1 .. 32;
for my $o ($orphan_old, $orphan_new) { open my $fh, '>', "$dir/$o" or die; print $fh 'x' x 100; close $fh }
my $old = time - 7200;
utime $old, $old, "$dir/$orphan_old";
my ($rc, $out) = $ctl->('gc');
is($rc, 0, 'mskanbanctl gc') or diag($out);
like($out, qr/removed \d+ attachment files of deleted rows, \d+ uncommitted/, 'gc says what it removed');
ok(!-e "$dir/$gname", 'the deleted card\'s file is gone');
is($t->count_rows('SELECT 1 FROM attachment_trash WHERE storage_name = ?', $gname), 0, 'and off the queue');
# (a file's ctime is its rename; utime cannot age it, so the "old" orphan is only
# removed when the ctime is old too: check the new one is kept, the rule for both)
ok(-e "$dir/$orphan_new", 'a file younger than an hour is kept (an upload may be in flight)');
unlink "$dir/$orphan_old", "$dir/$orphan_new";
ok(defined stored($name), 'a file with a row is kept');

unlink "$dir/$name" or die "unlink: $!";
($rc, $out) = $ctl->('check');
isnt($rc, 0, 'mskanbanctl check fails when a file is missing');
like($out, qr/missing attachment $att->{id} \(card $card\)/, 'and names the attachment');
$r = $vera->get("/attachments/$att->{id}");
$t->error_is($r, 404, 'NOT_FOUND', 'a missing file is a JSON 404');

# --- a web server that passes the body on stdin (Apache, lighttpd) ---------------------------
# A private nginx with a plain FastCGI location, streaming the body as it arrives
# (fastcgi_request_buffering off), as Apache's mod_proxy_fcgi does: the worker spools it
# to attachment_dir/.incoming in pieces and then treats it like nginx's file.
SKIP: {
    my $so = MSKanban::WS::module_so($t);
    skip 'no nginx module built', 8 unless $so && -f $so;
    my $plain = MSKanban::Nginx->new($t, kind => 'stdin', name => 'spool', workers => 1, so => $so, ready => sub { 1 },
        server => 'location ~ ^/api/cards/[^/]+/attachments$ { client_max_body_size 30m; fastcgi_request_buffering off; '
                . 'include /etc/nginx/fastcgi_params; fastcgi_pass mskanban_fcgi; }');
    my $via = $t->client(base => $plain->url . '/api', ip => $bob->ip);
    my $session = { Cookie => 'mskanban_session=' . $bob->cookie };
    my $spool_card = $k->card($alice, $col)->{id};
    my $incoming = sub { opendir my $d, "$dir/.incoming" or return 0; scalar grep { !/^\./ } readdir $d };
    my $payload = stream(300_000);
    $r = upload($via, $spool_card, $payload, %$session);
    $t->ok_status($r, 201, 'upload through stdin');
    is(sha256_hex(stored($name_of->($r->{json}{attachment}{id})) // ''), sha256_hex($payload), 'stored as sent');
    $t->error_is(upload($via, $spool_card, stream($MAX + 1), %$session), 413, 'PAYLOAD_TOO_LARGE', 'above the limit through stdin');
    $t->error_is(upload($via, $spool_card, stream(500), %$session, id => 'NOT AN ID'), 400, 'BAD_REQUEST', 'a bad header through stdin');
    # A truncated body: the client promises 200000 bytes, sends 100000 and goes away.
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $plain->port, LocalAddr => $bob->ip) or die "connect: $!";
    print $s "POST /api/cards/$spool_card/attachments HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: mskanban_session=" . $bob->cookie
        . "\r\nContent-Type: application/octet-stream\r\nX-Attachment-Id: " . new_id() . "\r\nX-Attachment-Meta: " . envelope(60)
        . "\r\nContent-Length: 200000\r\n\r\n" . stream(100_000);
    shutdown $s, 1;
    1 while sysread $s, my $buf, 4096;
    close $s;
    select undef, undef, undef, 0.5;
    is($rows_of->($spool_card), 1, 'only the complete upload is stored');
    is($incoming->(), 0, 'no spooled file is left behind');
    $plain->stop;
}

done_testing;
