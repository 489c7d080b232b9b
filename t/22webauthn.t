# WebAuthn second factor without a browser: registration, the key list, and login with a
# software authenticator (t/js/webauthn-soft.mjs: ES256, EdDSA and RS256 keys; "none" and
# "packed" attestation) that lets each check be hit on purpose: bad input (error shape,
# nothing stored), no session, a challenge spent by a failed attempt, an expired
# challenge, another user's challenge or key, a wrong origin or rp id, a missing UP flag,
# a sign count that does not grow, TOTP as the alternative, and the login backoff; and
# the same assertion as the step-up DELETE /me and removing a key need (POST
# /me/webauthn/challenge).
# The same flows in Chromium with its virtual authenticator: t/23webauthn-browser.t.
use strict;
use warnings;
use Test::More;
use IPC::Open2;
use Digest::SHA qw(sha256_hex hmac_sha256_hex);
use Mojo::JSON qw(encode_json decode_json true false);
use MSKanban::Test;
use MSKanban::Kanban;
use MSKanban::Totp qw(totp_code base32_decode);

my $t = MSKanban::Test->new;
my $js = $t->src . '/t/js';
my $port = $t->env('MSKANBAN_PORT');
my $origin = "http://localhost:$port";    # webauthn_origins of the test stack
my $rp = 'localhost';
my $redis_port = $t->env('MSKANBAN_REDIS_PORT');
my ($hash_key) = do { local @ARGV = ($t->env('MSKANBAN_STATE') . '/secrets.conf'); join('', <>) } =~ /^hash_key\s*=\s*(\w+)/m;

sub redis { my $out = `redis-cli -p $redis_port @_`; chomp $out; $out }
sub challenge_key { 'mskanban:wac:' . sha256_hex($_[0]) }
sub clear_failures { redis('DEL', 'mskanban:lf:' . substr(hmac_sha256_hex("email\0" . lc $_[0], pack 'H*', $hash_key), 0, 32)) }

# One request to the software authenticator.
sub soft {
    my (%req) = @_;
    my $pid = open2(my $out, my $in, 'node', "$js/webauthn-soft.mjs");
    print $in encode_json({ rpId => $rp, origin => $origin, %req });
    close $in;
    my $line = <$out>;
    waitpid $pid, 0;
    return decode_json($line);
}

sub begin_registration {
    my ($u) = @_;
    my $r = $u->post('/auth/webauthn/register');
    $t->ok_status($r, 200, 'register: options') or diag $r->{body};
    return $r->{json}{publicKey}{challenge};
}

# A registered key: { credentialId, key, alg, id }.
sub register_key {
    my ($u, %opt) = @_;
    my $made = soft(op => 'create', challenge => begin_registration($u), %opt);
    my $r = $u->post('/auth/webauthn/verify', { clientDataJSON => $made->{clientDataJSON}, attestationObject => $made->{attestationObject} });
    $t->ok_status($r, 201, "register a key (alg $made->{alg}, " . ($opt{fmt} // 'none') . ')') or diag $r->{body};
    return { %$made, id => $r->{json}{credential}{id}, credential => $r->{json}{credential} };
}

sub keys_of { $t->count_rows('SELECT 1 FROM webauthn_credentials WHERE user_id = ?', $_[0]->id) }

# The login step: a 401 offering a challenge.
sub offer {
    my ($u) = @_;
    my $r = $t->client->post('/auth/login', { email => $u->email, authHash => $u->{authHash} });
    return $r;
}

sub assert_login {
    my ($u, $key, %opt) = @_;
    my $challenge = $opt{challenge} // offer($u)->{json}{webauthn}{challenge};
    my $a = soft(op => 'get', key => $key->{key}, alg => $key->{alg}, credentialId => $key->{credentialId},
        challenge => $challenge, %opt);
    my $c = $t->client;
    my $r = $c->post('/auth/login', { email => $u->email, authHash => $u->{authHash}, webauthn => $a });
    return wantarray ? ($r, $a, $c) : $r;
}

# --- no session, bad input ------------------------------------------------------------
my $anon = $t->client;
$t->error_is($anon->post('/auth/webauthn/register'), 401, 'UNAUTHORIZED', 'register without a session');
$t->error_is($anon->post('/auth/webauthn/verify', {}), 401, 'UNAUTHORIZED', 'verify without a session');
$t->error_is($anon->get('/me/webauthn'), 401, 'UNAUTHORIZED', 'list without a session');
$t->error_is($anon->delete('/me/webauthn/cabc'), 401, 'UNAUTHORIZED', 'remove without a session');

my $u = $t->user;
my $opts = $u->post('/auth/webauthn/register');
$t->ok_status($opts, 200, 'registration options');
my $pk = $opts->{json}{publicKey};
is($pk->{rp}{id}, $rp, 'rp id from the config');
like($pk->{challenge}, qr/^[A-Za-z0-9_-]{43}$/, '32-byte challenge');
is_deeply([sort { $a <=> $b } map { $_->{alg} } @{ $pk->{pubKeyCredParams} }], [-257, -8, -7], 'ES256, EdDSA, RS256');
my $ttl = redis('TTL', challenge_key($pk->{challenge}));
ok($ttl > 0 && $ttl <= 120, "challenge stored with a short TTL ($ttl s)");

for my $case (
    [{}, 'no fields'],
    [{ clientDataJSON => '***', attestationObject => 'AAAA' }, 'clientDataJSON not base64url'],
    [{ clientDataJSON => 'AAAA', attestationObject => 'x' x 20000 }, 'attestationObject too long'],
    [{ clientDataJSON => 'bm90IGpzb24', attestationObject => 'AAAA' }, 'clientDataJSON not JSON'],
) {
    $t->error_is($u->post('/auth/webauthn/verify', $case->[0]), 400, 'BAD_REQUEST', "verify: $case->[1]");
}
is(keys_of($u), 0, 'nothing stored after bad input');

# Garbage attestation with a real challenge: 400, and the challenge is spent.
my $good = soft(op => 'create', challenge => $pk->{challenge});
my $cdj = $good->{clientDataJSON};
$t->error_is($u->post('/auth/webauthn/verify', { clientDataJSON => $cdj, attestationObject => 'oWNmbXRkbm9uZQ' }), 400,
    'BAD_REQUEST', 'verify: attestationObject without authData');
is(redis('EXISTS', challenge_key($pk->{challenge})), 0, 'a failed attempt spends the challenge');
$t->error_is($u->post('/auth/webauthn/verify', { clientDataJSON => $cdj, attestationObject => $good->{attestationObject} }), 400,
    'BAD_REQUEST', 'the spent challenge cannot be used again, even with a valid attestation');
is(keys_of($u), 0, 'nothing stored');

# Expired: the key is gone from Redis.
my $ch = begin_registration($u);
redis('DEL', challenge_key($ch));
my $made = soft(op => 'create', challenge => $ch);
$t->error_is($u->post('/auth/webauthn/verify', { map { $_ => $made->{$_} } qw(clientDataJSON attestationObject) }), 400,
    'BAD_REQUEST', 'expired challenge');

# Another user's challenge, a wrong origin, a wrong type, another rp id, no UP flag.
my $other = $t->user;
my @bad = (
    [soft(op => 'create', challenge => begin_registration($other)), "another user's challenge"],
    [soft(op => 'create', challenge => begin_registration($u), origin => 'http://evil.localhost:1'), 'wrong origin'],
    [soft(op => 'create', challenge => begin_registration($u), type => 'webauthn.get'), 'wrong clientData type'],
    [soft(op => 'create', challenge => begin_registration($u), rpId => 'evil.example'), 'another rp id'],
    [soft(op => 'create', challenge => begin_registration($u), flags => 0x44), 'no user presence'],
    [soft(op => 'create', challenge => begin_registration($u), fmt => 'packed', rpId => 'evil.example'), 'packed, another rp id'],
);
for my $b (@bad) {
    $t->error_is($u->post('/auth/webauthn/verify', { map { $_ => $b->[0]{$_} } qw(clientDataJSON attestationObject) }), 400,
        'BAD_REQUEST', "registration refused: $b->[1]");
}
is(keys_of($u), 0, 'nothing stored after refused registrations');

# --- registration ------------------------------------------------------------------------
my $es = register_key($u, alg => -7);
my $ed = register_key($u, alg => -8, fmt => 'packed');
my $rs = register_key($u, alg => -257, fmt => 'packed');
is($es->{credential}{algorithm}, 'ES256', 'ES256');
is($ed->{credential}{algorithm}, 'EdDSA', 'EdDSA (packed self attestation)');
is($rs->{credential}{algorithm}, 'RS256', 'RS256 (packed self attestation)');
my $list = $u->get('/me/webauthn');
$t->ok_status($list, 200, 'list keys');
is(scalar @{ $list->{json}{credentials} }, 3, 'three keys listed');
my ($stored) = $t->dbh->selectrow_array('SELECT credential_id FROM webauthn_credentials WHERE id = ?', undef, $es->{id});
is($stored, $es->{credentialId}, 'credential id stored as the browser names it');
is($other->get('/me/webauthn')->{json}{credentials}->@*, 0, "another user's list is empty");

# --- login -------------------------------------------------------------------------------
my $o = offer($u);
$t->error_is($o, 401, 'WEBAUTHN_REQUIRED', 'login with a key asks for it');
ok(!$o->{headers}{'Set-Cookie'}, 'no session before the key');
is(scalar @{ $o->{json}{webauthn}{allowCredentials} }, 3, 'the offer names the three keys');
is($o->{json}{webauthn}{rpId}, $rp, 'offer rp id');
is($o->{json}{totp}, false, 'no TOTP alternative yet');
$t->error_is($t->client->post('/auth/login', { email => $u->email, authHash => random_b64(32) }), 401, 'UNAUTHORIZED',
    'a wrong authHash gets no challenge');
clear_failures($u->email);

for my $k ($es, $ed, $rs) {
    my ($r, $a, $c) = assert_login($u, $k, signCount => 1);
    $t->ok_status($r, 200, "login with the $k->{credential}{algorithm} key") or diag $r->{body};
    ok($r->{headers}{'Set-Cookie'}, 'a session');
    is($c->get('/me')->{status}, 200, 'the session works');
}
my ($r, $a) = assert_login($u, $es, signCount => 7);
$t->ok_status($r, 200, 'login, sign count 7');
my ($count, $used) = $t->dbh->selectrow_array('SELECT sign_count, last_used_at FROM webauthn_credentials WHERE id = ?', undef, $es->{id});
is($count, 7, 'sign count stored');
ok($used, 'last use stored');

$r = $t->client->post('/auth/login', { email => $u->email, authHash => $u->{authHash}, webauthn => $a });
$t->error_is($r, 401, 'UNAUTHORIZED', 'the same assertion again is refused (challenge spent)');
clear_failures($u->email);
$t->error_is(scalar assert_login($u, $es, signCount => 7), 401, 'UNAUTHORIZED', 'a sign count that did not grow is refused');
clear_failures($u->email);
$t->error_is(scalar assert_login($u, $es, signCount => 3), 401, 'UNAUTHORIZED', 'an older sign count is refused');
clear_failures($u->email);
$t->error_is(scalar assert_login($u, $es, signCount => 9, origin => 'http://evil.localhost:1'), 401, 'UNAUTHORIZED', 'wrong origin');
clear_failures($u->email);
$t->error_is(scalar assert_login($u, $es, signCount => 9, rpId => 'evil.example'), 401, 'UNAUTHORIZED', 'another rp id');
clear_failures($u->email);
$t->error_is(scalar assert_login($u, $es, signCount => 9, flags => 0x00), 401, 'UNAUTHORIZED', 'no user presence');
clear_failures($u->email);
$t->error_is(scalar assert_login($u, $es, signCount => 9, type => 'webauthn.create'), 401, 'UNAUTHORIZED', 'wrong type');
clear_failures($u->email);
$t->error_is(scalar assert_login($u, $es, signCount => 9, challenge => random_b64(32)), 401, 'UNAUTHORIZED',
    'a challenge the server never offered');
clear_failures($u->email);
my $theirs = register_key($other);
$t->error_is(scalar assert_login($u, $theirs, signCount => 9), 401, 'UNAUTHORIZED', "another user's key");
clear_failures($u->email);
# A signature by another key under a registered key's id.
$t->error_is(scalar assert_login($u, { %$theirs, credentialId => $es->{credentialId} }, signCount => 9), 401, 'UNAUTHORIZED',
    'a signature that does not verify');
clear_failures($u->email);
is(($t->dbh->selectrow_array('SELECT sign_count FROM webauthn_credentials WHERE id = ?', undef, $es->{id}))[0], 7,
    'refused assertions change no sign count');
$t->ok_status(scalar assert_login($u, $es, signCount => 8), 200, 'the key still works after the refusals');

for my $case (
    [{ webauthn => 'x' }, '"webauthn" not an object'],
    [{ webauthn => { credentialId => 'AAAA' } }, 'fields missing'],
    [{ webauthn => { credentialId => 'AAAA', clientDataJSON => 'AAAA', authenticatorData => 'AAAA', signature => '*' } }, 'signature not base64url'],
) {
    $t->error_is($t->client->post('/auth/login', { email => $u->email, authHash => $u->{authHash}, %{ $case->[0] } }), 400,
        'BAD_REQUEST', "login: $case->[1]");
}

# Backoff: failed assertions count as failed logins of the account.
clear_failures($u->email);
assert_login($u, $es, signCount => 8) for 1 .. 3;    # not larger than 8: refused
$r = offer($u);
$t->error_is($r, 429, 'RATE_LIMITED', 'after three failed assertions the account waits');
ok($r->{headers}{'Retry-After'}, 'Retry-After');
clear_failures($u->email);

# --- TOTP as the alternative ---------------------------------------------------------------
my $e = $u->post('/auth/2fa/enroll');
my $secret = base32_decode($e->{json}{secret});
$t->ok_status($u->post('/auth/2fa/verify', { code => totp_code($secret, time - 30) }), 200, 'TOTP enabled as well');
$o = offer($u);
$t->error_is($o, 401, 'WEBAUTHN_REQUIRED', 'both set up: the key is offered');
is($o->{json}{totp}, true, 'and TOTP is named as the alternative');
$t->ok_status($t->client->post('/auth/login', { email => $u->email, authHash => $u->{authHash}, totp => totp_code($secret) }),
    200, 'a TOTP code still logs in');
$t->ok_status(scalar assert_login($u, $es, signCount => 10), 200, 'and so does the key');

# --- removal --------------------------------------------------------------------------------
# Removing a key needs the step-up second factor: an assertion of one of the account's keys
# for a POST /me/webauthn/challenge challenge, or a TOTP code (below, with a fresh account).
my $rm = sub { my ($who, $k, $body) = @_; $who->delete("/me/webauthn/$k->{id}", $body ? ($body) : ()) };
$r = $rm->($u, $es);
$t->error_is($r, 403, 'WEBAUTHN_REQUIRED', 'remove with the session alone');
like($r->{json}{error}{message}, qr{/me/webauthn/challenge}, 'the answer says where the challenge is');
$t->error_is($rm->($u, $es, { totp => '12' }), 400, 'BAD_REQUEST', 'remove: a malformed TOTP code');
$t->error_is($rm->($u, $es, { webauthn => 'x' }), 400, 'BAD_REQUEST', 'remove: "webauthn" not an object');
$t->error_is($rm->($u, $es, { webauthn => step_up($u, $es, signCount => 11, challenge => offer($u)->{json}{webauthn}{challenge}) }),
    403, 'FORBIDDEN', 'remove: a login challenge is not a step-up challenge');
$t->error_is($rm->($u, $es, { webauthn => step_up($u, $es, signCount => 11, origin => 'http://evil.localhost:1') }),
    403, 'FORBIDDEN', 'remove: an assertion from another origin');
$t->error_is($rm->($u, $es, { webauthn => step_up($u, { %$theirs, credentialId => $es->{credentialId} }, signCount => 11) }),
    403, 'FORBIDDEN', 'remove: a step-up signature that does not verify');
$t->error_is($rm->($u, $es, { webauthn => step_up($u, $es, signCount => 11) }), 429, 'RATE_LIMITED',
    'remove: refused assertions count as failed logins, the account waits');
clear_failures($u->email);
is(keys_of($u), 3, 'nothing removed');
$t->error_is($rm->($other, $es, { webauthn => step_up($other, $theirs, signCount => 20) }), 404, 'NOT_FOUND',
    "another user's key, with their own valid step-up: 404");
$t->error_is($u->delete('/me/webauthn/not-an-id'), 404, 'NOT_FOUND', 'a malformed id: 404');
is(keys_of($u), 3, 'still nothing removed');
# with an assertion of another of the keys, then the last one with its own
$t->ok_status($rm->($u, $rs, { webauthn => step_up($u, $es, signCount => 11) }), 204, 'remove the RS256 key (ES256 step-up)');
$t->error_is($rm->($u, $rs, { webauthn => step_up($u, $es, signCount => 12) }), 404, 'NOT_FOUND', 'removed twice: 404');
$t->ok_status($rm->($u, $ed, { webauthn => step_up($u, $es, signCount => 13) }), 204, 'remove the EdDSA key (ES256 step-up)');
$t->ok_status($rm->($u, $es, { webauthn => step_up($u, $es, signCount => 14) }), 204, 'remove the ES256 key with itself');
is(scalar @{ $u->get('/me/webauthn')->{json}{credentials} }, 0, 'no keys listed');
$t->error_is(offer($u), 401, 'TOTP_REQUIRED', 'without keys, TOTP alone is asked for again');

# Deleting the account row removes its keys (ON DELETE CASCADE; DELETE /me, recovery).
is(keys_of($other), 1, 'the other user has a key');
$t->dbh->do('DELETE FROM users WHERE id = ?', undef, $other->id);
is($t->count_rows('SELECT 1 FROM webauthn_credentials WHERE credential_id = ?', $theirs->{credentialId}), 0,
    'keys go with the account row');

# --- step-up for DELETE /me (POST /me/webauthn/challenge) -------------------------------------
# An account whose second factor is a key cannot be deleted with the password alone.
sub step_up {
    my ($u, $key, %opt) = @_;
    my $challenge = $opt{challenge} // $u->post('/me/webauthn/challenge')->{json}{webauthn}{challenge};
    return soft(op => 'get', key => $key->{key}, alg => $key->{alg}, credentialId => $key->{credentialId},
        challenge => $challenge, %opt);
}
sub account_row { $t->dbh->selectrow_hashref('SELECT deleted_at, email, auth_hash FROM users WHERE id = ?', undef, $_[0]->id) }

$t->error_is($anon->post('/me/webauthn/challenge'), 401, 'UNAUTHORIZED', 'step-up challenge without a session');
my $kx = $t->user;
$t->error_is($kx->post('/me/webauthn/challenge'), 404, 'NOT_FOUND', 'no key: no step-up challenge');
my $kk = register_key($kx);
my $su = $kx->post('/me/webauthn/challenge');
$t->ok_status($su, 200, 'step-up challenge');
is_deeply([map { $_->{id} } @{ $su->{json}{webauthn}{allowCredentials} }], [$kk->{credentialId}], 'it names the key');
is($su->{json}{webauthn}{rpId}, $rp, 'step-up rp id');
my $login_ttl = redis('TTL', challenge_key(offer($kx)->{json}{webauthn}{challenge}));
my $su_ttl = redis('TTL', challenge_key($su->{json}{webauthn}{challenge}));
ok($su_ttl > 0 && abs($su_ttl - $login_ttl) <= 1, "the challenge lives in Redis as long as a login one ($su_ttl s)");

my $del = sub { $kx->delete('/me', { authHash => $kx->{authHash}, %{ $_[0] // {} } }) };
$r = $del->();
$t->error_is($r, 403, 'WEBAUTHN_REQUIRED', 'DELETE /me without an assertion');
like($r->{json}{error}{message}, qr{/me/webauthn/challenge}, 'the answer says where the challenge is');
$t->error_is($del->({ webauthn => step_up($kx, $kk, signCount => 1, challenge => offer($kx)->{json}{webauthn}{challenge}) }),
    403, 'FORBIDDEN', 'a login challenge is not a step-up challenge');
$t->error_is($del->({ webauthn => step_up($kx, $kk, signCount => 1, origin => 'http://evil.localhost:1') }), 403,
    'FORBIDDEN', 'a step-up assertion from another origin');
$t->error_is($del->({ webauthn => step_up($kx, { %$theirs, credentialId => $kk->{credentialId} }, signCount => 1) }), 403,
    'FORBIDDEN', 'a step-up signature that does not verify');
$t->error_is($del->({ webauthn => step_up($kx, $kk, signCount => 1) }), 429, 'RATE_LIMITED',
    'refused assertions count as failed logins: the account waits');
clear_failures($kx->email);
ok(!account_row($kx)->{deleted_at}, 'nothing deleted');
is(keys_of($kx), 1, 'the key is still there');

# A valid assertion whose request fails (a sole-owned workspace: 409) has spent its challenge.
$t->ok_status(scalar assert_login($kx, $kk, signCount => 5), 200, 'a login stores sign count 5');
MSKanban::Kanban->new($t)->workspace($kx);
my $sa = step_up($kx, $kk, signCount => 6);
$t->error_is($del->({ webauthn => $sa }), 409, 'CONFLICT', 'a valid assertion, but a sole-owned workspace');
$t->error_is($del->({ webauthn => $sa, deleteOwnedWorkspaces => true }), 403, 'FORBIDDEN',
    'the same assertion again is refused (replay)');
clear_failures($kx->email);
$t->error_is($del->({ webauthn => step_up($kx, $kk, signCount => 5), deleteOwnedWorkspaces => true }), 403, 'FORBIDDEN',
    'a step-up sign count that did not grow is refused');
clear_failures($kx->email);
ok(!account_row($kx)->{deleted_at}, 'still nothing deleted');
$r = $del->({ webauthn => step_up($kx, $kk, signCount => 7), deleteOwnedWorkspaces => true });
$t->ok_status($r, 200, 'DELETE /me with a valid assertion') or diag $r->{body};
my $gone = account_row($kx);
ok($gone->{deleted_at}, 'the account is deleted');
ok(!defined $gone->{email} && !defined $gone->{auth_hash}, 'and shredded');
is(keys_of($kx), 0, 'its key is gone');

# The same step-up guards PUT /me/recovery: a phrase recovers the account (and removes its
# keys), so a key-only account cannot replace it with the password alone.
my $kr = $t->user;
my $krk = register_key($kr);
my %phrase = (encRecoveryBlob => MSKanban::Test::envelope(48), encRecoveryPrivateKey => MSKanban::Test::envelope(48),
              recoveryVerifier => MSKanban::Test::random_b64(32));
sub verifier_of { scalar $t->dbh->selectrow_array('SELECT recovery_verifier FROM users WHERE id = ?', undef, $_[0]->id) }
my $verifier_before = verifier_of($kr) // '';
$r = $kr->put('/me/recovery', { authHash => $kr->{authHash}, %phrase });
$t->error_is($r, 403, 'WEBAUTHN_REQUIRED', 'PUT /me/recovery of a key-only account without an assertion');
is(verifier_of($kr) // '', $verifier_before, '... the phrase is not replaced');
$t->ok_status($kr->put('/me/recovery', { authHash => $kr->{authHash}, %phrase, webauthn => step_up($kr, $krk, signCount => 1) }),
    204, 'PUT /me/recovery with a step-up assertion');
isnt(verifier_of($kr) // '', $verifier_before, '... replaces the phrase');

# Key and TOTP: the TOTP code is the alternative, as at login.
my $kt = $t->user;
register_key($kt);
my $kts = base32_decode($kt->post('/auth/2fa/enroll')->{json}{secret});
$t->ok_status($kt->post('/auth/2fa/verify', { code => totp_code($kts, time - 30) }), 200, 'key and TOTP');
$r = $kt->delete('/me', { authHash => $kt->{authHash} });
$t->error_is($r, 403, 'WEBAUTHN_REQUIRED', 'key and TOTP: neither sent');
like($r->{json}{error}{message}, qr/totp/, 'the answer names TOTP as the alternative');
$t->ok_status($kt->delete('/me', { authHash => $kt->{authHash}, totp => totp_code($kts) }), 200,
    'key and TOTP: a TOTP code deletes the account');

# Key and TOTP: a TOTP code removes a key too.
my $km = $t->user;
my $kmk = register_key($km);
my $kms = base32_decode($km->post('/auth/2fa/enroll')->{json}{secret});
$t->ok_status($km->post('/auth/2fa/verify', { code => totp_code($kms, time - 30) }), 200, 'another account with key and TOTP');
my %current = map { (totp_code($kms, time + $_) => 1) } -60, -30, 0, 30, 60;
my ($wrong) = grep { !$current{$_} } map { sprintf '%06d', $_ } 0 .. 5;
$t->error_is($km->delete("/me/webauthn/$kmk->{id}", { totp => $wrong }), 403, 'FORBIDDEN', 'remove: a wrong TOTP code');
clear_failures($km->email);
is(keys_of($km), 1, 'the key is still there');
$t->ok_status($km->delete("/me/webauthn/$kmk->{id}", { totp => totp_code($kms) }), 204, 'a TOTP code removes the key');
is(keys_of($km), 0, 'the key is gone');

done_testing;
