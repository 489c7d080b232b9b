# The README's curl flow, with authHash computed as a browser computes it: login-init for
# the salts, Argon2id (m=64 MiB, t=3, p=4) in hash-wasm from a password, register, login.
use strict;
use warnings;
use Test::More;
use IPC::Open2;
use Mojo::JSON qw(encode_json decode_json);
use MSKanban::Test;

my $t = MSKanban::Test->new;
my $js = $t->src . '/t/js';
plan skip_all => 'node packages not installed (scripts/run-tests installs them)' unless -d "$js/node_modules/hash-wasm";

sub derive {
    my (%in) = @_;
    my $pid = open2(my $out, my $in, 'node', "$js/browser-authhash.mjs");
    print $in encode_json(\%in);
    close $in;
    my $line = <$out>;
    waitpid $pid, 0;
    return decode_json($line);
}

my $c = $t->client;
my $email = $t->unique_email('browser');
my $init = $c->post('/auth/login-init', { email => $email });
$t->ok_status($init, 200, 'login-init for a new email');

# A new account chooses its own salts; the client keeps the server's parameters.
my %salts = (kdfSalt => random_b64(16), authSalt => random_b64(16));
my $keys = derive(password => 'correct horse battery staple', kdf => $init->{json}{kdf}, %salts);
like($keys->{authHash}, qr/^[A-Za-z0-9_-]{43}$/, 'authHash derived');
my $reg = $t->registration(email => $email, authHash => $keys->{authHash}, kdf => $init->{json}{kdf}, %salts);
$t->ok_status($c->post('/auth/register', $reg), 201, 'register with the derived authHash');

# Later, on another device: login-init gives the salts back, the password gives authHash.
my $d = $t->client;
my $again = $d->post('/auth/login-init', { email => $email });
is($again->{json}{kdfSalt}, $salts{kdfSalt}, 'login-init returns the kdfSalt');
my $derived = derive(password => 'correct horse battery staple', kdf => $again->{json}{kdf},
    kdfSalt => $again->{json}{kdfSalt}, authSalt => $again->{json}{authSalt});
is($derived->{authHash}, $keys->{authHash}, 'the same password derives the same authHash');
my $login = $d->post('/auth/login', { email => $email, authHash => $derived->{authHash} });
$t->ok_status($login, 200, 'login with the password-derived authHash');
is($d->get('/me')->{status}, 200, '/me with the cookie');

my $wrong = derive(password => 'wrong password', kdf => $again->{json}{kdf},
    kdfSalt => $again->{json}{kdfSalt}, authSalt => $again->{json}{authSalt});
$t->error_is($t->client->post('/auth/login', { email => $email, authHash => $wrong->{authHash} }), 401, 'UNAUTHORIZED',
    'a wrong password fails');

done_testing;
