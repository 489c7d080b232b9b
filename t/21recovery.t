# Account recovery (issue 13): POST /auth/recovery/init and POST /auth/recovery, PUT
# /me/recovery. The server stores the client's recovery verifier only as an Argon2id
# hash; recovery replaces the password's key material and the phrase's in one
# transaction, ends every session (live streams and relay sockets close), turns TOTP off
# and removes security keys; unknown emails get fakes of the same shape, every time, in
# about the same time; failures share login's per-account backoff and per-address limit.
use strict;
use warnings;
use Test::More;
use Digest::SHA qw(hmac_sha256_hex);
use List::Util qw(sum);
use Time::HiRes qw(time sleep);
use MSKanban::Test;
use MSKanban::Totp qw(totp_code base32_decode);

my $t = MSKanban::Test->new;

# A user registered with recovery material; {verifier} is the phrase's proof.
sub recoverable_user {
    my $verifier = random_b64(32);
    my $u = $t->user(recoveryVerifier => $verifier, encRecoveryPrivateKey => envelope(48));
    $u->{verifier} = $verifier;
    return $u;
}

# The body of POST /auth/recovery: a new password's material and a new phrase's.
sub recovery_body {
    my ($email, $verifier, %over) = @_;
    return {
        email => $email,
        recoveryVerifier => $verifier,
        authHash => random_b64(32),
        kdf => { algorithm => 'argon2id', memoryKiB => 65536, iterations => 3, parallelism => 4 },
        kdfSalt => random_b64(16),
        authSalt => random_b64(16),
        encPrivateKey => envelope(48),
        encSymmetricKey => envelope(48),
        encRecoveryBlob => envelope(48),
        encRecoveryPrivateKey => envelope(48),
        newRecoveryVerifier => random_b64(32),
        %over,
    };
}

my @KEY_COLUMNS = qw(auth_hash kdf_salt auth_salt enc_private_key enc_symmetric_key enc_recovery_blob
    enc_recovery_private_key recovery_verifier totp_secret);
sub account_row {
    my ($id) = @_;
    return $t->dbh->selectrow_hashref('SELECT ' . join(', ', @KEY_COLUMNS) . ' FROM users WHERE id = ?', undef, $id);
}

# Failures per account live in Redis under the keyed hash of the email (as in t/14ratelimit.t).
my ($hash_key) = do { local @ARGV = ($t->env('MSKANBAN_STATE') . '/secrets.conf'); join('', <>) } =~ /^hash_key\s*=\s*(\w+)/m;
my $port = $t->env('MSKANBAN_REDIS_PORT');
sub failure_key { 'mskanban:lf:' . substr(hmac_sha256_hex("email\0" . lc $_[0], pack 'H*', $hash_key), 0, 32) }
sub redis { my $out = `redis-cli -p $port @_`; chomp $out; $out }

subtest 'registration stores the verifier as Argon2id only' => sub {
    my $u = recoverable_user();
    my $row = account_row($u->id);
    like($row->{recovery_verifier}, qr/^\$argon2id\$v=19\$/, 'a PHC string');
    unlike($row->{recovery_verifier}, qr/\Q$u->{verifier}\E/, 'not the verifier itself');
    is($row->{enc_recovery_private_key}, $u->{reg}{encRecoveryPrivateKey}, 'the wrapped private key as sent');

    my $reg = $t->registration(recoveryVerifier => random_b64(32));
    $t->error_is($t->client->post('/auth/register', $reg), 400, 'BAD_REQUEST', 'a verifier without the wrapped key: 400');
    $reg = $t->registration(recoveryVerifier => random_b64(31), encRecoveryPrivateKey => envelope(48));
    $t->error_is($t->client->post('/auth/register', $reg), 400, 'BAD_REQUEST', 'a short verifier: 400');
    is($t->count_rows('SELECT 1 FROM users WHERE email = $1', $reg->{email}), 0, 'nothing stored');
};

subtest 'init: the wraps of a known email; fakes of one shape for everyone else' => sub {
    my $u = recoverable_user();
    my $c = $t->client;
    my $known = $c->post('/auth/recovery/init', { email => $u->email });
    $t->ok_status($known, 200, 'init');
    is($known->{json}{encRecoveryBlob}, $u->{reg}{encRecoveryBlob}, 'the stored blob');
    is($known->{json}{encRecoveryPrivateKey}, $u->{reg}{encRecoveryPrivateKey}, 'the stored private-key wrap');

    my $nobody = 'nobody-' . lc(random_b64(6) =~ s/[^a-z0-9]//gir) . '@example.org';
    my $legacy = $t->user;    # registered without a verifier: it cannot recover either
    for my $case ([unknown => $nobody], ['no verifier' => $legacy->email]) {
        my ($name, $email) = @$case;
        my $r1 = $t->client->post('/auth/recovery/init', { email => $email });
        my $r2 = $t->client->post('/auth/recovery/init', { email => uc $email });
        $t->ok_status($r1, 200, "$name: the same status");
        is_deeply([sort keys %{ $r1->{json} }], [sort keys %{ $known->{json} }], "$name: the same fields");
        for my $f (sort keys %{ $known->{json} }) {
            my @parts = split /\./, $r1->{json}{$f};
            is(scalar @parts, 3, "$name: $f is an envelope");
            is(length $parts[$_], length((split /\./, $known->{json}{$f})[$_]), "$name: $f part $_ has the same length")
                for 0 .. 2;
        }
        is_deeply($r2->{json}, $r1->{json}, "$name: deterministic across calls");
    }
    isnt($legacy->{reg}{encRecoveryBlob}, $t->client->post('/auth/recovery/init', { email => $legacy->email })->{json}{encRecoveryBlob},
        'an account without a verifier gets the fake, not its blob');
    my $other = $t->client->post('/auth/recovery/init', { email => "x$nobody" });
    isnt($other->{json}{encRecoveryBlob}, $t->client->post('/auth/recovery/init', { email => $nobody })->{json}{encRecoveryBlob},
        'another unknown email, another fake');
};

subtest 'bad input: 400 with the error shape, nothing changed' => sub {
    my $u = recoverable_user();
    my $before = account_row($u->id);
    my $c = $t->client;
    $t->error_is($c->post('/auth/recovery/init', { email => 'not-an-email' }), 400, 'BAD_REQUEST', 'init: bad email');
    $t->error_is($c->post('/auth/recovery/init', {}), 400, 'BAD_REQUEST', 'init: no email');
    my %bad = (
        'no verifier' => { recoveryVerifier => undef },
        'short verifier' => { recoveryVerifier => random_b64(16) },
        'no authHash' => { authHash => undef },
        'bad kdfSalt' => { kdfSalt => 'not base64url!' },
        'other kdf' => { kdf => { algorithm => 'argon2id', memoryKiB => 131072, iterations => 3, parallelism => 4 } },
        'bad envelope' => { encSymmetricKey => 'v2.nope' },
        'no new blob' => { encRecoveryBlob => undef },
        'no new private-key wrap' => { encRecoveryPrivateKey => undef },
        'no new verifier' => { newRecoveryVerifier => undef },
    );
    for my $name (sort keys %bad) {
        my $body = recovery_body($u->email, $u->{verifier}, %{ $bad{$name} });
        delete $body->{$_} for grep { !defined $body->{$_} } keys %$body;
        $t->error_is($t->client->post('/auth/recovery', $body), 400, 'BAD_REQUEST', $name);
    }
    $t->error_is($t->client->post('/auth/recovery', '{"email":', { 'Content-Type' => 'application/json' }), 400,
        'BAD_REQUEST', 'not JSON');
    is_deeply(account_row($u->id), $before, 'the account is unchanged');
    is($u->get('/me')->{status}, 200, 'the session still works');
};

subtest 'a wrong verifier: 401, nothing changed, counted as a failure' => sub {
    my $u = recoverable_user();
    my $before = account_row($u->id);
    redis('DEL ' . failure_key($u->email));
    my $r = $t->client->post('/auth/recovery', recovery_body($u->email, random_b64(32)));
    $t->error_is($r, 401, 'UNAUTHORIZED', 'wrong verifier');
    my $unknown = $t->client->post('/auth/recovery', recovery_body('nobody-' . $$ . '@example.org', random_b64(32)));
    $t->error_is($unknown, 401, 'UNAUTHORIZED', 'unknown email: the same 401');
    is($unknown->{json}{error}{message}, $r->{json}{error}{message}, 'with the same message');
    my $legacy = $t->user;
    $t->error_is($t->client->post('/auth/recovery', recovery_body($legacy->email, random_b64(32))), 401,
        'UNAUTHORIZED', 'an account without a verifier: the same 401');
    is_deeply(account_row($u->id), $before, 'the account is unchanged');
    is($u->get('/me')->{status}, 200, 'the session still works');
    is(redis('ZCARD ' . failure_key($u->email)), 1, 'the failure is recorded like a failed login');
};

subtest 'success: new credentials, every session ends, the old ones stop working' => sub {
    my $u = recoverable_user();
    my $second = $t->client;
    $second->login($u->email, $u->{authHash});
    my $body = recovery_body($u->email, $u->{verifier});
    my $r = $t->client->post('/auth/recovery', $body);
    $t->ok_status($r, 200, 'recovered');
    is($r->{json}{user}{id}, $u->id, 'the account');
    is($r->{json}{user}{totpEnabled}, Mojo::JSON->false, 'TOTP is off');

    my $row = account_row($u->id);
    is($row->{$_->[0]}, $body->{$_->[1]}, "$_->[0] replaced")
        for [kdf_salt => 'kdfSalt'], [auth_salt => 'authSalt'], [enc_private_key => 'encPrivateKey'],
        [enc_symmetric_key => 'encSymmetricKey'], [enc_recovery_blob => 'encRecoveryBlob'],
        [enc_recovery_private_key => 'encRecoveryPrivateKey'];
    like($row->{recovery_verifier}, qr/^\$argon2id\$/, 'the new verifier, hashed');

    $t->error_is($u->get('/me'), 401, 'UNAUTHORIZED', 'the old session: 401');
    $t->error_is($second->get('/me'), 401, 'UNAUTHORIZED', 'the other old session: 401');
    is($t->count_rows('SELECT 1 FROM sessions WHERE user_id = $1 AND revoked_at IS NULL', $u->id), 0,
        'no live session row');
    $t->error_is($t->client->post('/auth/login', { email => $u->email, authHash => $u->{authHash} }), 401,
        'UNAUTHORIZED', 'the old password: 401');
    my $login = $t->client->login($u->email, $body->{authHash});
    $t->ok_status($login, 200, 'the new password logs in');
    is($login->{json}{keys}{encSymmetricKey}, $body->{encSymmetricKey}, 'with the new wrapped keys');
    is($login->{json}{keys}{kdfSalt}, $body->{kdfSalt}, 'and the new salts');
    is($t->client->post('/auth/recovery/init', { email => $u->email })->{json}{encRecoveryBlob}, $body->{encRecoveryBlob},
        'init serves the new blob');
    $t->error_is($t->client->post('/auth/recovery', recovery_body($u->email, $u->{verifier})), 401, 'UNAUTHORIZED',
        'the old phrase no longer recovers');
    $t->ok_status($t->client->post('/auth/recovery', recovery_body($u->email, $body->{newRecoveryVerifier})), 200,
        'the new one does');
};

subtest 'TOTP is turned off and security keys removed' => sub {
    my $u = recoverable_user();
    my $e = $u->post('/auth/2fa/enroll');
    my $secret = base32_decode($e->{json}{secret});
    $t->ok_status($u->post('/auth/2fa/verify', { code => totp_code($secret, time - 30) }), 200, 'TOTP on');
    # a security key, as POST /auth/webauthn/verify would store it (sql/016_webauthn.sql)
    $t->dbh->do(q{INSERT INTO webauthn_credentials (id, user_id, credential_id, public_key, cose_alg)
                  VALUES (?, ?, ?, ?, -7)}, undef, 'cwa' . lc(random_b64(12) =~ s/[^a-z0-9]//gir), $u->id,
                random_b64(32), random_b64(65));
    my $before = $t->client->post('/auth/login', { email => $u->email, authHash => $u->{authHash} });
    is($before->{json}{error}{code}, 'WEBAUTHN_REQUIRED', 'before: login asks for the security key');
    my $body = recovery_body($u->email, $u->{verifier});
    $t->ok_status($t->client->post('/auth/recovery', $body), 200, 'recovered without a TOTP code');
    my $row = account_row($u->id);
    ok(!defined $row->{totp_secret}, 'the TOTP secret is gone');
    my $login = $t->client->post('/auth/login', { email => $u->email, authHash => $body->{authHash} });
    $t->ok_status($login, 200, 'login needs no code');
    is($login->{json}{user}{totpEnabled}, Mojo::JSON->false, 'TOTP is off');
    is($t->count_rows('SELECT 1 FROM webauthn_credentials WHERE user_id = $1', $u->id), 0, 'security keys removed');
};

subtest 'rate limits: per address like login, per-account backoff' => sub {
    my $c = $t->client;
    my @codes = map { $c->post('/auth/recovery/init', { email => "rl$_\@example.org" })->{status} } 1 .. 10;
    is_deeply(\@codes, [ (200) x 10 ], '10 recovery requests from one address');
    my $r = $c->post('/auth/recovery', recovery_body('rl@example.org', random_b64(32)));
    $t->error_is($r, 429, 'RATE_LIMITED', 'the 11th: 429');
    like($r->{headers}{'Retry-After'} // '', qr/^[1-9][0-9]*$/, 'Retry-After');
    $t->error_is($c->post('/auth/login-init', { email => 'rl@example.org' }), 429, 'RATE_LIMITED',
        'the same budget as login');

    my $u = recoverable_user();
    my $key = failure_key($u->email);
    my $now = int(time * 1000);
    redis("DEL $key");
    redis("ZADD $key $now a $now b $now c");
    $r = $t->client->post('/auth/recovery', recovery_body($u->email, $u->{verifier}));
    $t->error_is($r, 429, 'RATE_LIMITED', 'after 3 failures even the right verifier backs off');
    like($r->{headers}{'Retry-After'} // '', qr/^[1-9][0-9]*$/, 'Retry-After');
    is($u->get('/me')->{status}, 200, 'nothing changed');
    redis("DEL $key");
};

# Step 2 costs one Argon2id verification whether or not the email is known (a wrong
# verifier of a real account against an unknown email); medians over alternating rounds,
# each from a fresh address with the failures cleared, so no limit interferes.
subtest 'enumeration by time' => sub {
    my $u = recoverable_user();
    my $nobody = "nobody-time-$$\@example.org";
    my (%ms, %init_ms);
    for my $round (1 .. 7) {
        for my $case ([known => $u->email], [unknown => $nobody]) {
            my ($name, $email) = @$case;
            redis('DEL ' . failure_key($email));
            my $c = $t->client;
            my $t0 = time;
            my $r = $c->post('/auth/recovery', recovery_body($email, random_b64(32)));
            push @{ $ms{$name} }, (time - $t0) * 1000;
            is($r->{status}, 401, "$name round $round: 401") if $round == 1;
            $t0 = time;
            $c->post('/auth/recovery/init', { email => $email });
            push @{ $init_ms{$name} }, (time - $t0) * 1000;
        }
    }
    redis('DEL ' . failure_key($_)) for $u->email, $nobody;
    my $median = sub { my @s = sort { $a <=> $b } @{ $_[0] }; $s[ int(@s / 2) ] };
    for my $what ([recovery => \%ms], [init => \%init_ms]) {
        my ($k, $uk) = map { $median->($what->[1]{$_}) } qw(known unknown);
        diag(sprintf '%s median: known %.1f ms, unknown %.1f ms', $what->[0], $k, $uk);
        # within a factor of 2, or within 25 ms (init is one query: milliseconds of noise)
        my $close = abs($k - $uk) < 25 || ($k / ($uk || 0.001) > 0.5 && $k / ($uk || 0.001) < 2);
        ok($close, "$what->[0]: a known email answers in about the time of an unknown one");
    }
};

subtest 'PUT /me/recovery: set or rotate with the password (and TOTP)' => sub {
    my $u = $t->user;    # registered without a verifier
    my %material = (encRecoveryBlob => envelope(48), encRecoveryPrivateKey => envelope(48));
    my $verifier = random_b64(32);
    $t->error_is($t->client->put('/me/recovery', { authHash => $u->{authHash}, %material, recoveryVerifier => $verifier }),
        401, 'UNAUTHORIZED', 'without a session');
    $t->error_is($u->put('/me/recovery', { authHash => $u->{authHash}, %material }), 400, 'BAD_REQUEST', 'no verifier');
    $t->error_is($u->put('/me/recovery', { authHash => random_b64(32), %material, recoveryVerifier => $verifier }),
        403, 'FORBIDDEN', 'a wrong authHash');
    ok(!defined account_row($u->id)->{recovery_verifier}, 'nothing stored');
    is(redis('ZCARD ' . failure_key($u->email)), 1, 'the wrong authHash counts as a failed login');
    redis('DEL ' . failure_key($u->email));
    $t->ok_status($u->put('/me/recovery', { authHash => $u->{authHash}, %material, recoveryVerifier => $verifier }),
        204, 'set');
    is($t->client->post('/auth/recovery/init', { email => $u->email })->{json}{encRecoveryBlob}, $material{encRecoveryBlob},
        'init now serves it');

    my $e = $u->post('/auth/2fa/enroll');
    my $secret = base32_decode($e->{json}{secret});
    $t->ok_status($u->post('/auth/2fa/verify', { code => totp_code($secret, time - 30) }), 200, 'TOTP on');
    my %next = (encRecoveryBlob => envelope(48), encRecoveryPrivateKey => envelope(48), recoveryVerifier => random_b64(32));
    $t->error_is($u->put('/me/recovery', { authHash => $u->{authHash}, %next }), 403, 'TOTP_REQUIRED',
        'with TOTP on, a code is required');
    $t->error_is($u->put('/me/recovery', { authHash => $u->{authHash}, totp => 'abc', %next }), 400, 'BAD_REQUEST',
        'a malformed code');
    $t->ok_status($u->put('/me/recovery', { authHash => $u->{authHash}, totp => totp_code($secret), %next }), 204,
        'rotated with a code');
    redis('DEL ' . failure_key($u->email));
    $t->ok_status($t->client->post('/auth/recovery', recovery_body($u->email, $next{recoveryVerifier})), 200,
        'the rotated phrase recovers');
};

done_testing;
