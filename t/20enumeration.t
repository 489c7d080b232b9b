# Enumeration: login-init cannot tell accounts apart by their KDF parameters, because
# register accepts only the server's; the invitee lookup (an exact-email oracle an owner
# needs) is limited per owner and per client address (rate_limit.lookup, 30/min default).
use strict;
use warnings;
use Test::More;
use MSKanban::Test qw(random_b64);

my $t = MSKanban::Test->new;
my $c = $t->client;

my %def = (algorithm => 'argon2id', memoryKiB => 65536, iterations => 3, parallelism => 4);
for my $case (['stronger memory', { %def, memoryKiB => 131072 }], ['more passes', { %def, iterations => 4 }],
              ['fewer lanes', { %def, parallelism => 1 }]) {
    my $reg = $t->registration(kdf => $case->[1]);
    $t->error_is($c->post('/auth/register', $reg), 400, 'BAD_REQUEST', "register with $case->[0]: 400");
    is($t->count_rows('SELECT 1 FROM users WHERE email = $1', $reg->{email}), 0, 'nothing stored');
}
my $reg = $t->registration(kdf => {%def});
$t->ok_status($c->post('/auth/register', $reg), 201, 'the server\'s parameters, sent explicitly');

my $known = $c->post('/auth/login-init', { email => $reg->{email} });
my $unknown = $c->post('/auth/login-init', { email => 'nobody-' . random_b64(8) . '@example.org' });
is_deeply($known->{json}{kdf}, $unknown->{json}{kdf}, 'login-init: the same kdf for an account and for nobody');
is(length $known->{json}{kdfSalt}, length $unknown->{json}{kdfSalt}, 'salts of one shape');

subtest 'invitee lookup: per owner and per address' => sub {
    my $ip = $t->next_ip;
    my $alice = $t->user;
    my $bob = $t->user;
    my $target = $t->user;
    my %ws;
    for my $u ($alice, $bob) {
        my $w = $u->post('/workspaces', { encName => MSKanban::Test::envelope(), encWorkspaceKey => MSKanban::Test::envelope() });
        $t->ok_status($w, 201, 'a workspace');
        $ws{ $u->id } = $w->{json}{workspace}{id};
    }
    my $a_ip = $t->client(ip => $ip);
    $a_ip->login($alice->email, $alice->{authHash});
    my $limit = 30;
    my @codes = map { $a_ip->post("/workspaces/$ws{$alice->id}/members/lookup", { email => $target->email })->{status} }
        1 .. $limit;
    is(scalar(grep { $_ == 200 } @codes), $limit, "$limit lookups answered");
    $t->error_is($a_ip->post("/workspaces/$ws{$alice->id}/members/lookup", { email => $target->email }), 429,
        'RATE_LIMITED', 'then 429');
    my $b_ip = $t->client(ip => $ip);
    $b_ip->login($bob->email, $bob->{authHash});
    $t->error_is($b_ip->post("/workspaces/$ws{$bob->id}/members/lookup", { email => $target->email }), 429,
        'RATE_LIMITED', 'another owner from the same address: 429 (per address)');
    $t->ok_status($bob->post("/workspaces/$ws{$bob->id}/members/lookup", { email => $target->email }), 200,
        'that owner from another address: 200');
    $t->error_is($alice->post("/workspaces/$ws{$alice->id}/members/lookup", { email => $target->email }), 429,
        'RATE_LIMITED', 'the first owner from another address: 429 (per owner)');
};
done_testing;
