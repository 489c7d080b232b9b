# POST /auth/register: success, every bad field refused with nothing stored, duplicates.
use strict;
use warnings;
use Test::More;
use MSKanban::Test;

my $t = MSKanban::Test->new;
# Test files run in parallel, so "nothing stored" counts this process's users (every
# email from unique_email carries the pid) plus, per case, the case's own email.
my $users = sub { $t->count_rows(q{SELECT 1 FROM users WHERE email LIKE '%-' || $1 || '-%'}, $$) };
my $stored = sub { defined $_[0] ? $t->count_rows('SELECT 1 FROM users WHERE email = lower($1)', $_[0]) : 0 };

my $reg = $t->registration(email => 'Mixed.Case-' . $$ . '@Example.ORG');
my $r = $t->client->post('/auth/register', $reg);
$t->ok_status($r, 201, 'register');
is($r->{json}{user}{email}, lc $reg->{email}, 'email stored lower-cased');
like($r->{json}{user}{id}, qr/^c[0-9a-z]+$/, 'id is a cuid');
is($r->{json}{user}{totpEnabled}, Mojo::JSON->false, 'totp off');

# The database holds neither the authHash nor anything derived from it without the
# server's own Argon2id salt.
my $row = $t->dbh->selectrow_hashref('SELECT * FROM users WHERE id = ?', undef, $r->{json}{user}{id});
like($row->{auth_hash}, qr/^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$/, 'auth_hash is a server-side Argon2id hash');
my $dump = join '|', map { $_ // '' } values %$row;
unlike($dump, qr/\Q$reg->{authHash}\E/, 'authHash is not stored');
is($row->{enc_private_key}, $reg->{encPrivateKey}, 'envelopes stored unchanged');

# Duplicate email, any case: 409, and no second row.
my $before = $users->();
$r = $t->client->post('/auth/register', $t->registration(email => uc $reg->{email}));
$t->error_is($r, 409, 'CONFLICT', 'duplicate email');
is($users->(), $before, 'duplicate: nothing stored');
is($stored->($reg->{email}), 1, 'duplicate: still one account for the email');

# Every bad input: 400 with the error shape, and no row stored.
my @bad = (
    [ 'missing email', { email => undef } ],
    [ 'email without @', { email => 'nobody.example.org' } ],
    [ 'email with space', { email => 'a b@example.org' } ],
    [ 'email too long', { email => ('a' x 250) . '@example.org' } ],
    [ 'email not a string', { email => 42 } ],
    [ 'authHash too short', { authHash => b64url('x' x 31) } ],
    [ 'authHash padded', { authHash => b64url('x' x 32) . '=' } ],
    [ 'authHash standard base64', { authHash => '+' x 43 } ],
    [ 'authHash missing', { authHash => undef } ],
    [ 'authHash number', { authHash => 12 } ],
    [ 'kdfSalt wrong size', { kdfSalt => random_b64(15) } ],
    [ 'authSalt missing', { authSalt => undef } ],
    [ 'publicKey wrong size', { publicKey => random_b64(33) } ],
    [ 'encPrivateKey plaintext', { encPrivateKey => 'my secret key' } ],
    [ 'encSymmetricKey bad version', { encSymmetricKey => 'v2.' . random_b64(24) . '.' . random_b64(48) } ],
    [ 'encRecoveryBlob short nonce', { encRecoveryBlob => 'v1.' . random_b64(12) . '.' . random_b64(48) } ],
    [ 'encRecoveryBlob short ciphertext', { encRecoveryBlob => 'v1.' . random_b64(24) . '.' . random_b64(8) } ],
    [ 'encPrivateKey oversize', { encPrivateKey => envelope(5000) } ],
    [ 'kdf wrong algorithm', { kdf => { algorithm => 'scrypt' } } ],
    [ 'kdf too weak', { kdf => { algorithm => 'argon2id', memoryKiB => 1024, iterations => 3, parallelism => 4 } } ],
    [ 'kdf not an object', { kdf => 'argon2id' } ],
);
for my $case (@bad) {
    my ($name, $over) = @$case;
    my $body = $t->registration;
    for my $k (keys %$over) {
        if (defined $over->{$k}) { $body->{$k} = $over->{$k} } else { delete $body->{$k} }
    }
    my $n = $users->();
    my $res = $t->client->post('/auth/register', $body);
    $t->error_is($res, 400, 'BAD_REQUEST', $name);
    is($users->(), $n, "$name: nothing stored");
    is($stored->(ref $body->{email} ? undef : $body->{email}), 0, "$name: no user with that email");
}

# Bodies that are not a JSON object.
for my $raw ('not json', '[1,2]', '"string"', '{"email": "a@b.org", "email": "c@d.org"}', '') {
    my $res = $t->client->post('/auth/register', $raw, { 'Content-Type' => 'application/json' });
    $t->error_is($res, 400, 'BAD_REQUEST', "body '$raw'");
}

# A NUL inside a string.
my $nul = $t->client->post('/auth/register', '{"email":"a\u0000b@example.org"}', { 'Content-Type' => 'application/json' });
is($nul->{status}, 400, 'NUL in a string is refused');

done_testing;
