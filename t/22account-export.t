# GET /me/export (issue 13): everything the server holds about the user, schema
# mskanban-export/1, as a download; no server-side secret in it; nothing of workspaces
# the user is not in. A large account streams: the workers' peak memory does not grow
# with it (MSKANBAN_EXPORT_CARDS picks the size; the default makes a ~25 MiB document).
use strict;
use warnings;
use Test::More;
use Mojo::JSON qw(decode_json);
use MSKanban::Test qw(envelope random_b64);
use MSKanban::Kanban;

my $t = MSKanban::Test->new;
my $k = MSKanban::Kanban->new($t);
my $dbh = $t->dbh;
my $made = sub { my ($r, $key, $name) = @_; $t->ok_status($r, 201, $name); $r->{json}{$key} };

my $alice = $t->user;
my $bob = $t->user;
my $ws = $k->workspace($alice);
my $board = $k->board($alice, $ws->{id});
my $col = $k->column($alice, $board->{id});
my $card = $k->card($alice, $col->{id}, encDescription => envelope());
my $field = $made->($alice->post("/boards/$board->{id}/custom-fields", { type => 'text', encName => envelope() }), 'customField', 'field');
my $value = envelope();
$t->ok_status($alice->patch("/cards/$card->{id}", { customFields => { $field->{id} => $value } }), 200, 'field value');
my $comment = $made->($alice->post("/cards/$card->{id}/comments", { encBody => envelope() }), 'comment', 'comment');
my $list = $made->($alice->post("/cards/$card->{id}/checklists", { encTitle => envelope() }), 'checklist', 'checklist');
my $item = $made->($alice->post("/checklists/$list->{id}/items", { encText => envelope() }), 'item', 'checklist item');
my $label = $made->($alice->post("/boards/$board->{id}/labels", { encName => envelope(), colour => 'red' }), 'label', 'label');
my $ms = $made->($alice->post("/boards/$board->{id}/milestones", { encName => envelope() }), 'milestone', 'milestone');
my $tpl = $made->($alice->post("/boards/$board->{id}/card-templates", { encBody => envelope() }), 'template', 'template');
# Bob's own workspace: not alice's to export.
my $bws = $k->workspace($bob);
my $bboard = $k->board($bob, $bws->{id});

$dbh->do(q{INSERT INTO webauthn_credentials (id, user_id, credential_id, public_key, cose_alg)
           VALUES ('cwx' || ?, ?, ?, ?, -8)}, undef, $$, $alice->id, random_b64(32), random_b64(32));

$t->error_is($t->client->get('/me/export'), 401, 'UNAUTHORIZED', 'no session');

my $r = $alice->get('/me/export');
$t->ok_status($r, 200, 'export');
like($r->{headers}{'Content-Type'}, qr{^application/json}, 'JSON');
like($r->{headers}{'Content-Disposition'}, qr/^attachment; filename="mskanban-export-\d{4}-\d\d-\d\d\.json"$/, 'a download');
my $doc = $r->{json};
is($doc->{schema}, 'mskanban-export/1', 'versioned schema');
is($doc->{account}{id}, $alice->id, 'the account');
is($doc->{account}{email}, $alice->email, 'its email');
is($doc->{keys}{encSymmetricKey}, $alice->{reg}{encSymmetricKey}, 'the wrapped keys');
is($doc->{keys}{encRecoveryBlob}, $alice->{reg}{encRecoveryBlob}, 'the recovery blob');
my %ids = map { my $k = $_; ($k => { map { ($_->{id} // "$_->{workspaceId}/$_->{userId}") => $_ } @{ $doc->{$k} } }) }
    grep { ref $doc->{$_} eq 'ARRAY' } keys %$doc;
ok($ids{workspaces}{ $ws->{id} }, 'the workspace');
is($ids{workspaces}{ $ws->{id} }{encWorkspaceKey}, $ws->{encWorkspaceKey}, '...with the user\'s copy of its key');
ok($ids{boards}{ $board->{id} }, 'the board');
ok($ids{columns}{ $col->{id} }, 'the column');
is($ids{cards}{ $card->{id} }{encTitle}, $card->{encTitle}, 'the card\'s ciphertext');
is($ids{cards}{ $card->{id} }{customFields}{ $field->{id} }, $value, 'its custom field value');
is($ids{comments}{ $comment->{id} }{encBody}, $comment->{encBody}, 'the comment');
ok($ids{checklists}{ $list->{id} }, 'the checklist');
is($ids{checklistItems}{ $item->{id} }{encText}, $item->{encText}, 'the checklist item');
ok($ids{labels}{ $label->{id} }, 'the label');
ok($ids{milestones}{ $ms->{id} }, 'the milestone');
ok($ids{customFields}{ $field->{id} }, 'the custom field');
ok($ids{templates}{ $tpl->{id} }, 'the template');
ok(scalar(keys %{ $ids{sessions} }) >= 1, 'sessions');
is($ids{webauthnCredentials}{"cwx$$"}{coseAlg}, -8, 'the security keys');
ok(!exists $doc->{sessions}[0]{tokenHash} && !exists $doc->{sessions}[0]{ipHash}, 'no token or address hash');
ok(scalar(grep { $_->{verb} eq 'CARD_CREATED' } @{ $doc->{activity} }), 'what the user did');
ok(!$ids{workspaces}{ $bws->{id} } && !$ids{boards}{ $bboard->{id} }, 'nothing of a workspace the user is not in');

# No server-side secret: the Argon2id hash of authHash, token hashes, address hashes.
my ($auth_hash) = $dbh->selectrow_array('SELECT auth_hash FROM users WHERE id = ?', undef, $alice->id);
my $hashes = $dbh->selectall_arrayref('SELECT token_hash, ip_hash FROM sessions WHERE user_id = ?', undef, $alice->id);
unlike($r->{body}, qr/\Q$auth_hash\E/, 'no auth_hash');
unlike($r->{body}, qr/argon2id\$/, 'no PHC string at all');
for my $h (map { @$_ } @$hashes) { unlike($r->{body}, qr/\Q$h\E/, 'no session hash') if defined $h }

# --- a large account streams ------------------------------------------------------------
my $n = $ENV{MSKANBAN_EXPORT_CARDS} // 3000;
my $pad = 'B' x 4000;    # ~4 KB of ciphertext per description and per comment
$dbh->do(q{
    INSERT INTO cards (id, board_id, column_id, enc_title, enc_description, position)
    SELECT 'cx' || $1 || 'n' || g, $2, $3, 'v1.' || repeat('A', 32) || '.' || repeat('C', 64),
           'v1.' || repeat('A', 32) || '.' || $4, 'e' || lpad(g::text, 5, '0')
    FROM generate_series(1, $5::int) g}, undef, $$, $board->{id}, $col->{id}, $pad, $n);
$dbh->do(q{
    INSERT INTO comments (id, board_id, card_id, author_id, enc_body)
    SELECT 'cy' || $1 || 'n' || g, $2, 'cx' || $1 || 'n' || g, $3, 'v1.' || repeat('A', 32) || '.' || $4
    FROM generate_series(1, $5::int) g}, undef, $$, $board->{id}, $alice->id, $pad, $n);

sub worker_peak_kib {
    my $sup = $t->env('MSKANBAN_FCGI_SUPERVISOR_PID') or return;
    open my $fh, '<', $sup or return;
    my $ppid = <$fh>;
    chomp $ppid;
    my ($max, $rss) = (0, 0);
    for my $pid (split ' ', `pgrep -P $ppid`) {
        open my $st, '<', "/proc/$pid/status" or next;
        while (<$st>) {
            $max = $1 if /^VmHWM:\s+(\d+)/ && $1 > $max;
            $rss += $1 if /^VmRSS:\s+(\d+)/;
        }
    }
    return ($max, $rss);
}
my ($peak0, $rss0) = worker_peak_kib();
$r = $alice->get('/me/export');
my ($peak1, $rss1) = worker_peak_kib();
$t->ok_status($r, 200, 'export of a large account');
my $bytes = length $r->{body};
is(scalar @{ $r->{json}{cards} }, $n + 1, "all $n + 1 cards");
is(scalar @{ $r->{json}{comments} }, $n + 1, "all $n + 1 comments");
SKIP: {
    skip 'the FastCGI workers are not ours to measure', 1 unless $peak0;
    my $grew = $peak1 - $peak0;
    diag(sprintf 'export: %.1f MiB document; workers\' peak RSS %d -> %d KiB (+%d KiB), RSS sum %d -> %d KiB',
        $bytes / 1048576, $peak0, $peak1, $grew, $rss0, $rss1);
    cmp_ok($grew * 1024, '<', $bytes / 4, 'the largest worker grew by far less than the document (streamed)');
}

done_testing;
