# DELETE /me (issue 13): a fresh authHash (and TOTP code) is required; the account is
# crypto-shredded in one transaction, every session ends, login-init answers as for an
# unknown email, sole-owned workspaces are refused (409) or deleted on request, shared
# content stays; 30 days later `mskanbanctl gc` removes the tombstone.
use strict;
use warnings;
use Test::More;
use MSKanban::Test qw(envelope random_b64);
use MSKanban::Kanban;
use MSKanban::Totp qw(totp_code base32_decode);
use MSKanban::Live;

my $t = MSKanban::Test->new;
my $k = MSKanban::Kanban->new($t);
my $dbh = $t->dbh;

sub live_row {
    my ($id) = @_;
    return $dbh->selectrow_hashref('SELECT * FROM users WHERE id = ?', undef, $id);
}

# --- setup: alice owns "solo" alone and is a member of bob's shared workspace ---------
my $alice = $t->user;
my $bob = $t->user;
my $second = $t->client;    # a second session of alice
$second->login($alice->email, $alice->{authHash});
my $solo = $k->workspace($alice);
my $shared = $k->workspace($bob);
$k->invite($bob, $shared->{id}, $alice, 'member');
my $board = $k->board($bob, $shared->{id});
my $col = $k->column($bob, $board->{id});
my $card = $k->card($alice, $col->{id});
my $comment = $alice->post("/cards/$card->{id}/comments", { encBody => envelope() });
$t->ok_status($comment, 201, 'alice comments in the shared workspace');
my $comment_id = $comment->{json}{comment}{id};
my $has_webauthn = $dbh->selectrow_array(q{SELECT to_regclass('webauthn_credentials')});
$dbh->do(q{INSERT INTO webauthn_credentials (id, user_id, credential_id, public_key, cose_alg)
           VALUES ('cwa' || ?, ?, ?, ?, -7)}, undef, $$, $alice->id, random_b64(32), random_b64(65)) if $has_webauthn;
# That key cannot sign, so alice turns TOTP on as well: with both, a TOTP code is the second
# factor DELETE /me takes instead of an assertion (the key's step-up is in t/22webauthn.t).
my $asecret = base32_decode($alice->post('/auth/2fa/enroll')->{json}{secret});
$t->ok_status($alice->post('/auth/2fa/verify', { code => totp_code($asecret, time - 30) }), 200, 'alice enables TOTP');
my $before = live_row($alice->id);

# --- errors: nothing changes ------------------------------------------------------------
$t->error_is($t->client->delete('/me', { authHash => $alice->{authHash} }), 401, 'UNAUTHORIZED', 'no session');
$t->error_is($alice->delete('/me', {}), 400, 'BAD_REQUEST', 'no authHash');
$t->error_is($alice->delete('/me', { authHash => 'short' }), 400, 'BAD_REQUEST', 'authHash not 32 bytes');
$t->error_is($alice->delete('/me', { authHash => $alice->{authHash}, totp => '12ab56' }), 400, 'BAD_REQUEST', 'totp not digits');
$t->error_is($alice->delete('/me', { authHash => $alice->{authHash}, deleteOwnedWorkspaces => 'yes' }), 400, 'BAD_REQUEST',
    'deleteOwnedWorkspaces not a boolean');
$t->error_is($alice->request(DELETE => '/me', '{"authHash":"x"}', { 'Content-Type' => 'text/plain' }), 415,
    'UNSUPPORTED_MEDIA_TYPE', 'not JSON');
$t->error_is($alice->delete('/me', { authHash => random_b64(32) }), 403, 'FORBIDDEN', 'wrong authHash');
$t->error_is($alice->delete('/me', { authHash => $alice->{authHash} }), 403, $has_webauthn ? 'WEBAUTHN_REQUIRED' : 'TOTP_REQUIRED',
    'no second factor');
my $r = $alice->delete('/me', { authHash => $alice->{authHash}, totp => totp_code($asecret) });
$t->error_is($r, 409, 'CONFLICT', 'the only owner of a workspace');
like($r->{json}{error}{message}, qr/\Q$solo->{id}\E/, '409 names the workspace');
unlike($r->{json}{error}{message}, qr/\Q$shared->{id}\E/, '...and not the one bob owns');
is_deeply(live_row($alice->id), $before, 'nothing changed after the refusals');
$t->ok_status($alice->get('/me'), 200, 'alice still signed in');

# --- success: deleteOwnedWorkspaces ----------------------------------------------------
# Alice follows bob's board live from her second session; the deletion closes the stream.
my $nginx = MSKanban::Live::Nginx->new($t, name => 'del');
my $stream = $nginx->stream("/api/boards/$board->{id}/live", user => $second);
is($stream->status, 200, 'alice streams bob\'s board');
select undef, undef, undef, 0.2;
$r = $alice->delete('/me', { authHash => $alice->{authHash}, totp => totp_code($asecret), deleteOwnedWorkspaces => Mojo::JSON->true });
$t->ok_status($r, 200, 'delete the account and the sole-owned workspace');
is_deeply($r->{json}{deletedWorkspaces}, [$solo->{id}], 'the deleted workspaces are named');
$t->error_is($alice->get('/me'), 401, 'UNAUTHORIZED', 'the session used has ended');
$t->error_is($second->get('/me'), 401, 'UNAUTHORIZED', 'every other session has ended');
ok($stream->wait_done(5), 'her live stream closed');

# The database: every shredded column is gone.
my $row = live_row($alice->id);
ok($row->{deleted_at}, 'deleted_at set');
for my $col (qw(email auth_hash kdf_salt auth_salt public_key enc_private_key enc_symmetric_key enc_recovery_blob
                totp_secret totp_pending recovery_verifier enc_recovery_private_key)) {
    next unless exists $row->{$col};
    is($row->{$col}, undef, "users.$col is NULL");
}
is($t->count_rows('SELECT 1 FROM workspace_members WHERE user_id = $1', $alice->id), 0, 'no member rows (no sealed workspace keys)');
is($t->count_rows('SELECT 1 FROM workspaces WHERE id = $1', $solo->{id}), 0, 'the sole-owned workspace is gone');
is($t->count_rows('SELECT 1 FROM sessions WHERE user_id = $1 AND (revoked_at IS NULL OR ip_hash IS NOT NULL OR user_agent IS NOT NULL)', $alice->id),
    0, 'sessions revoked, no address hash or user agent');
is($t->count_rows('SELECT 1 FROM idempotency_keys WHERE user_id = $1', $alice->id), 0, 'no stored responses');
is($t->count_rows(q{SELECT 1 FROM webauthn_credentials WHERE user_id = $1}, $alice->id), 0, 'no WebAuthn credentials')
    if $has_webauthn;

# Login-init answers as for an unknown email: same shape, deterministic, new salts.
my $c = $t->client;
my $after1 = $c->post('/auth/login-init', { email => $alice->email });
my $after2 = $c->post('/auth/login-init', { email => $alice->email });
my $unknown = $c->post('/auth/login-init', { email => $t->unique_email('never') });
$t->ok_status($after1, 200, 'login-init after delete');
is_deeply($after1->{json}, $after2->{json}, 'the answer is deterministic');
is_deeply([sort keys %{ $after1->{json} }], [sort keys %{ $unknown->{json} }], 'same fields as an unknown email');
is_deeply($after1->{json}{kdf}, $unknown->{json}{kdf}, 'same KDF parameters as an unknown email');
isnt($after1->{json}{kdfSalt}, $alice->{reg}{kdfSalt}, 'not the account\'s kdfSalt');
isnt($after1->{json}{authSalt}, $alice->{reg}{authSalt}, 'not the account\'s authSalt');
$t->error_is($c->post('/auth/login', { email => $alice->email, authHash => $alice->{authHash} }), 401, 'UNAUTHORIZED',
    'the old credentials no longer log in');

# Shared content stays, attributed to the deleted account's id; the member list forgets it.
my $cm = $bob->get("/cards/$card->{id}/comments");
$t->ok_status($cm, 200, 'bob reads the comments');
is($cm->{json}{comments}[0]{authorId}, $alice->id, 'the comment keeps its author id');
$t->ok_status($bob->get("/cards/$card->{id}"), 200, 'bob reads the card alice made');
my $members = $bob->get("/workspaces/$shared->{id}/members");
is_deeply([map { $_->{userId} } @{ $members->{json}{members} }], [$bob->id], 'alice is no longer listed as a member');
# A member row left pointing at the tombstone (NULL email) is not listed either (was a 500).
$dbh->do(q{INSERT INTO workspace_members (workspace_id, user_id, role, enc_workspace_key) VALUES (?, ?, 'member', ?)},
    undef, $shared->{id}, $alice->id, MSKanban::Kanban::sealed_key());
$members = $bob->get("/workspaces/$shared->{id}/members");
$t->ok_status($members, 200, 'the member list with a row of a deleted account');
is_deeply([map { $_->{userId} } @{ $members->{json}{members} }], [$bob->id], 'the deleted account is not listed');
$dbh->do('DELETE FROM workspace_members WHERE user_id = ?', undef, $alice->id);
# Adding the deleted account back is refused as for an unknown account.
$t->error_is($bob->post("/workspaces/$shared->{id}/members", { userId => $alice->id, encWorkspaceKey => MSKanban::Kanban::sealed_key() }),
    400, 'BAD_REQUEST', 'adding a deleted account: as for an unknown one');
is($t->count_rows('SELECT 1 FROM workspace_members WHERE user_id = $1', $alice->id), 0, '... nothing stored');

# The email can register a new, unrelated account.
my $again = $t->client->post('/auth/register', $t->registration(email => $alice->email));
$t->ok_status($again, 201, 'the email registers again');
isnt($again->{json}{user}{id}, $alice->id, 'as a new account');

# --- TOTP: required, wrong, right --------------------------------------------------------
{
    my $carol = $t->user;
    my $secret = base32_decode($carol->post('/auth/2fa/enroll')->{json}{secret});
    $t->ok_status($carol->post('/auth/2fa/verify', { code => totp_code($secret, time - 30) }), 200, 'carol enables TOTP');
    $t->error_is($carol->delete('/me', { authHash => $carol->{authHash} }), 403, 'TOTP_REQUIRED', 'TOTP on: a code is required');
    my $wrong = sprintf '%06d', (totp_code($secret) + 1) % 1_000_000;
    $t->error_is($carol->delete('/me', { authHash => $carol->{authHash}, totp => $wrong }), 403, 'FORBIDDEN', 'wrong TOTP code');
    ok(!live_row($carol->id)->{deleted_at}, 'carol is not deleted');
    $t->ok_status($carol->delete('/me', { authHash => $carol->{authHash}, totp => totp_code($secret) }), 200, 'right code');
    my $cr = live_row($carol->id);
    ok(!defined $cr->{totp_secret} && !defined $cr->{totp_pending}, 'TOTP secrets shredded');

    # Hard delete: a tombstone 29 days old stays, one 31 days old goes with its sessions;
    # bob's view of alice's content stays, now authored by nobody.
    $dbh->do(q{UPDATE users SET deleted_at = now() - interval '31 days' WHERE id = ?}, undef, $alice->id);
    $dbh->do(q{UPDATE users SET deleted_at = now() - interval '29 days' WHERE id = ?}, undef, $carol->id);
    my $ctl = quotemeta($t->env('MSKANBAN_BUILD') . '/mskanbanctl');
    my $conf = quotemeta($t->env('MSKANBAN_CONFIG'));
    my $out = `$ctl -c $conf gc 2>&1`;
    is($? >> 8, 0, 'mskanbanctl gc') or diag $out;
    like($out, qr/hard-deleted [1-9]\d* accounts/, 'gc reports the hard delete');
    is($t->count_rows('SELECT 1 FROM users WHERE id = $1', $alice->id), 0, 'the 31-day-old tombstone is gone');
    is($t->count_rows('SELECT 1 FROM sessions WHERE user_id = $1', $alice->id), 0, '...with its sessions');
    is($t->count_rows('SELECT 1 FROM users WHERE id = $1', $carol->id), 1, 'the 29-day-old one stays');
    $cm = $bob->get("/cards/$card->{id}/comments");
    is(scalar @{ $cm->{json}{comments} }, 1, 'the comment is still there for bob');
    is($cm->{json}{comments}[0]{authorId}, undef, '...authored by nobody now');
    is($cm->{json}{comments}[0]{id}, $comment_id, '...the same comment');
    is($bob->get("/cards/$card->{id}")->{json}{card}{createdBy}, undef, 'the card too');
}

# --- the account's backoff applies (wrong authHash counts as a failed login) -----------
{
    my $dave = $t->user;
    my @codes = map { $dave->delete('/me', { authHash => random_b64(32) })->{status} } 1 .. 3;
    is_deeply(\@codes, [403, 403, 403], 'three wrong authHashes');
    $r = $dave->delete('/me', { authHash => $dave->{authHash} });
    $t->error_is($r, 429, 'RATE_LIMITED', 'then the account waits, even with the right one');
    ok($r->{headers}{'Retry-After'}, 'Retry-After');
    ok(!live_row($dave->id)->{deleted_at}, 'dave is not deleted');
}

# --- rate limit: 10 a minute per account, like login -------------------------------------
{
    my $erin = $t->user;
    my @codes = map { $erin->delete('/me', {})->{status} } 1 .. 10;
    is_deeply(\@codes, [(400) x 10], 'ten requests');
    $r = $erin->delete('/me', { authHash => $erin->{authHash} });
    $t->error_is($r, 429, 'RATE_LIMITED', 'the eleventh is limited');
    ok(!live_row($erin->id)->{deleted_at}, 'erin is not deleted');
}

done_testing;
