# login-init and login: salts, cookie, sessions stored hashed, logout, expiry.
use strict;
use warnings;
use Test::More;
use Time::HiRes ();
use Digest::SHA qw(sha256_hex);
use MSKanban::Test;

my $t = MSKanban::Test->new;
my $c = $t->client;
my $reg = $t->registration;
$c->post('/auth/register', $reg)->{status} == 201 or BAIL_OUT('register failed');

# --- login-init ---------------------------------------------------------------------
my $known = $c->post('/auth/login-init', { email => $reg->{email} });
$t->ok_status($known, 200, 'login-init known');
is($known->{json}{kdfSalt}, $reg->{kdfSalt}, 'known: the registered kdfSalt');
is($known->{json}{authSalt}, $reg->{authSalt}, 'known: the registered authSalt');
is_deeply($known->{json}{kdf}, { algorithm => 'argon2id', memoryKiB => 65536, iterations => 3, parallelism => 4 },
    'known: default KDF parameters');

my $ghost = 'ghost-' . $$ . '@example.org';
my $u1 = $c->post('/auth/login-init', { email => $ghost });
my $u2 = $t->client->post('/auth/login-init', { email => uc $ghost });
$t->ok_status($u1, 200, 'login-init unknown');
is_deeply([ sort keys %{ $u1->{json} } ], [ sort keys %{ $known->{json} } ], 'unknown: same fields');
is_deeply($u1->{json}{kdf}, $known->{json}{kdf}, 'unknown: same KDF parameters');
is(length $u1->{json}{kdfSalt}, length $known->{json}{kdfSalt}, 'unknown: same salt length');
is_deeply($u1->{json}, $u2->{json}, 'unknown: deterministic salts');
isnt($u1->{json}{kdfSalt}, $u1->{json}{authSalt}, 'unknown: two different salts');
my $other = $c->post('/auth/login-init', { email => "x$ghost" });
isnt($other->{json}{kdfSalt}, $u1->{json}{kdfSalt}, 'unknown: salts differ per email');
$t->error_is($c->post('/auth/login-init', { email => 'nope' }), 400, 'BAD_REQUEST', 'login-init bad email');
$t->error_is($c->post('/auth/login-init', {}), 400, 'BAD_REQUEST', 'login-init missing email');

# --- login --------------------------------------------------------------------------
my $bad = $t->client->post('/auth/login', { email => $reg->{email}, authHash => random_b64(32) });
$t->error_is($bad, 401, 'UNAUTHORIZED', 'wrong authHash');
my $nouser = $t->client->post('/auth/login', { email => $ghost, authHash => random_b64(32) });
$t->error_is($nouser, 401, 'UNAUTHORIZED', 'unknown email');
is($nouser->{json}{error}{message}, $bad->{json}{error}{message}, 'same message for unknown email and wrong authHash');
ok(!$bad->{headers}{'Set-Cookie'}, 'no cookie on failure');
$t->error_is($t->client->post('/auth/login', { email => $reg->{email} }), 400, 'BAD_REQUEST', 'login without authHash');
$t->error_is($t->client->post('/auth/login', { email => $reg->{email}, authHash => $reg->{authHash}, totp => 'abc' }),
    400, 'BAD_REQUEST', 'login with malformed totp');

my $anon = $t->client;
$t->error_is($anon->get('/me'), 401, 'UNAUTHORIZED', '/me without a session');

my $ok = $c->post('/auth/login', { email => uc $reg->{email}, authHash => $reg->{authHash} });
$t->ok_status($ok, 200, 'login (email in any case)');
my $cookie = $ok->{headers}{'Set-Cookie'};
like($cookie, qr/^mskanban_session=[A-Za-z0-9_-]{43};/, 'cookie carries a 256-bit token');
like($cookie, qr/; HttpOnly/, 'HttpOnly');
like($cookie, qr/; SameSite=Strict/, 'SameSite=Strict');
like($cookie, qr/; Path=\/api/, 'Path=/api');
is($ok->{json}{keys}{encSymmetricKey}, $reg->{encSymmetricKey}, 'login returns the wrapped keys');

my $me = $c->get('/me');
$t->ok_status($me, 200, '/me');
is($me->{json}{user}{email}, $reg->{email}, '/me email');
is($me->{json}{keys}{encRecoveryBlob}, $reg->{encRecoveryBlob}, '/me recovery blob');

# Only a hash of the token is stored.
my $token = $c->cookie;
my ($hash) = $t->dbh->selectrow_array('SELECT token_hash FROM sessions WHERE id = ?', undef, $ok->{json}{session}{id});
is($hash, sha256_hex($token), 'session stored as SHA-256 of the token');
my $raw = $t->count_rows(q{SELECT 1 FROM sessions s, users u WHERE s.token_hash = $1 OR u.auth_hash LIKE '%' || $1 || '%'
    OR s.user_agent = $1}, $token);
is($raw, 0, 'the raw token is nowhere in the database');

# A forged or garbled cookie is a 401.
my $forged = $t->client;
$t->error_is($forged->get('/me', undef, { Cookie => 'mskanban_session=' . random_b64(32) }), 401, 'UNAUTHORIZED', 'unknown token');
$t->error_is($forged->get('/me', undef, { Cookie => 'mskanban_session=short' }), 401, 'UNAUTHORIZED', 'malformed token');

# --- expiry -------------------------------------------------------------------------
my $idle = $t->client;
$idle->login($reg->{email}, $reg->{authHash});
is($idle->get('/me')->{status}, 200, 'fresh session works');
$t->dbh->do(q{UPDATE sessions SET last_seen_at = now() - interval '31 minutes' WHERE id = ?}, undef, $idle->{session_id});
# The row was changed behind the server's back (real idleness is seen at once): a worker
# that checked this session in the last 2 s may still hold it in its session cache
# (docs/internals.md, "Session cache"), so ask until that entry has gone, 3 s at most.
my ($idle_r, $idle_since) = (undef, Time::HiRes::time());
until (($idle_r = $idle->get('/me'))->{status} != 200 || Time::HiRes::time() - $idle_since > 3) {
    Time::HiRes::sleep(0.1);
}
$t->error_is($idle_r, 401, 'UNAUTHORIZED', 'idle for 31 minutes: expired');
cmp_ok(Time::HiRes::time() - $idle_since, '<', 2.5, 'within the 2 s a cached session lives');

my $slide = $t->client;
$slide->login($reg->{email}, $reg->{authHash});
$t->dbh->do(q{UPDATE sessions SET last_seen_at = now() - interval '29 minutes' WHERE id = ?}, undef, $slide->{session_id});
is($slide->get('/me')->{status}, 200, 'idle 29 minutes: still valid');
my ($age) = $t->dbh->selectrow_array(q{SELECT extract(epoch FROM now() - last_seen_at) FROM sessions WHERE id = ?}, undef,
    $slide->{session_id});
cmp_ok($age, '<', 60, 'use slides the idle window');

my $old = $t->client;
$old->login($reg->{email}, $reg->{authHash});
$t->dbh->do(q{UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = ?}, undef, $old->{session_id});
$t->error_is($old->get('/me'), 401, 'UNAUTHORIZED', 'past the absolute lifetime: expired');
my ($lifetime) = $t->dbh->selectrow_array(q{SELECT extract(epoch FROM expires_at - created_at) FROM sessions WHERE id = ?},
    undef, $c->{session_id} // $ok->{json}{session}{id});
cmp_ok(abs($lifetime - 12 * 3600), '<', 5, 'absolute lifetime is 12 hours');

# --- logout -------------------------------------------------------------------------
my $out = $c->post('/auth/logout');
$t->ok_status($out, 204, 'logout');
like($out->{headers}{'Set-Cookie'}, qr/^mskanban_session=; .*Max-Age=0/, 'logout clears the cookie');
$t->error_is($t->client->get('/me', undef, { Cookie => "mskanban_session=$token" }), 401, 'UNAUTHORIZED',
    'token unusable after logout');
$t->error_is($t->client->post('/auth/logout'), 401, 'UNAUTHORIZED', 'logout without a session');

done_testing;
