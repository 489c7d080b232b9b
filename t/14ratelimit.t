# Rate limits: login per IP, register per IP, per-account backoff and lock, mutation and
# read limits per user; 429 with Retry-After and RateLimit-* headers.
use strict;
use warnings;
use Test::More;
use Digest::SHA qw(hmac_sha256_hex);
use Time::HiRes qw(time);
use MSKanban::Test;

my $t = MSKanban::Test->new;

sub is_429 {
    my ($r, $name) = @_;
    $t->error_is($r, 429, 'RATE_LIMITED', $name);
    like($r->{headers}{'Retry-After'} // '', qr/^[1-9][0-9]*$/, "$name: Retry-After in seconds");
}

# Login: 10 per IP per minute (login-init counts too).
{
    my $c = $t->client;
    my @codes = map { $c->post('/auth/login-init', { email => "rl$_\@example.org" })->{status} } 1 .. 10;
    is_deeply(\@codes, [ (200) x 10 ], '10 login requests from one IP');
    my $r = $c->post('/auth/login', { email => 'x@example.org', authHash => random_b64(32) });
    is_429($r, 'the 11th');
    is($r->{headers}{'RateLimit-Limit'}, 10, 'RateLimit-Limit');
    is($r->{headers}{'RateLimit-Remaining'}, 0, 'RateLimit-Remaining');
    is($t->client->post('/auth/login-init', { email => 'a@example.org' })->{status}, 200, 'another IP is not limited');
}

# Register: 5 per IP per hour.
{
    my $c = $t->client;
    my @codes = map { $c->post('/auth/register', $t->registration)->{status} } 1 .. 5;
    is_deeply(\@codes, [ (201) x 5 ], '5 registrations from one IP');
    my $reg = $t->registration;
    my $r = $c->post('/auth/register', $reg);
    is_429($r, 'the 6th registration');
    cmp_ok($r->{headers}{'Retry-After'}, '>', 60, 'Retry-After spans the hour window');
    is($t->count_rows('SELECT 1 FROM users WHERE email = $1', $reg->{email}), 0, 'the refused registration stored nothing');
}

# Per-account failures live in Redis under the server's keyed hash of the email,
# computed here from the stack's secrets file.
my ($hash_key) = do { local @ARGV = ($t->env('MSKANBAN_STATE') . '/secrets.conf'); join('', <>) } =~ /^hash_key\s*=\s*(\w+)/m;
my $port = $t->env('MSKANBAN_REDIS_PORT');
sub failure_key { 'mskanban:lf:' . substr(hmac_sha256_hex("email\0" . lc $_[0], pack 'H*', $hash_key), 0, 32) }
sub redis { my $out = `redis-cli -p $port @_`; chomp $out; $out }

# Backoff after 3 failures, from different IPs, for unknown accounts alike.
for my $kind ('known', 'unknown') {
    my $u = $kind eq 'known' ? $t->user : undef;
    my $email = $u ? $u->email : "nobody-$$\@example.org";
    for my $i (1 .. 3) {
        my $r = $t->client->post('/auth/login', { email => $email, authHash => random_b64(32) });
        is($r->{status}, 401, "$kind: failure $i is a 401");
    }
    my $key = failure_key($email);
    is(redis("ZCARD $key"), 3, "$kind: three failures recorded");
    # Date the failures "now" (in milliseconds), so that a slow machine (valgrind) does
    # not outwait the 1 s.
    my $now = int(time * 1000);
    redis("DEL $key");
    redis("ZADD $key $now a $now b $now c");
    my $r = $t->client->post('/auth/login', { email => $email, authHash => $u ? $u->{authHash} : random_b64(32) });
    is_429($r, "$kind: an immediate 4th attempt backs off");
    sleep 2;
    $r = $t->client->post('/auth/login', { email => $email, authHash => $u ? $u->{authHash} : random_b64(32) });
    is($r->{status}, $u ? 200 : 401, "$kind: after the backoff the attempt is evaluated");
}

# Lock: 10 failures within 15 minutes. Seed the failures in Redis (waiting out the
# doubling backoff would take minutes), then check the answer.
{
    my $u = $t->user;
    my $key = failure_key($u->email);
    $t->client->post('/auth/login', { email => $u->email, authHash => random_b64(32) });
    is(redis("ZCARD $key"), 1, 'a failure is recorded under the keyed hash of the email');
    my $now = int(time * 1000);
    # Ten failures in all over the last 14 minutes, the newest 5 minutes ago.
    redis('ZADD', $key, map { ($now - 300_000 - $_ * 60_000, "seed$_") } 0 .. 8);
    my $r = $t->client->post('/auth/login', { email => $u->email, authHash => $u->{authHash} });
    is_429($r, 'locked account refuses even the right authHash');
    like($r->{json}{error}{message} // '', qr/locked/, 'message says locked');
    cmp_ok($r->{headers}{'Retry-After'} // 0, '>', 500, 'locked for the rest of the 15 minutes');
}

# Mutations: 60 per user per minute; reads: 600 per user per minute.
{
    my $u = $t->user;
    my @codes = map { $u->post('/auth/ws-ticket', { room => 'nope' })->{status} } 1 .. 60;
    is_deeply(\@codes, [ (400) x 60 ], '60 mutations (each a 400) are counted');
    is_429($u->post('/auth/ws-ticket', { room => 'board:cabc' }), 'the 61st mutation');
    is($u->get('/me')->{status}, 200, 'reads have their own budget');
    my $other = $t->user;
    is($other->post('/auth/ws-ticket', { room => 'nope' })->{status}, 400, 'another user is not limited');

    # Count successes until the first refusal. A minute boundary crossed during the loop
    # lets the sliding window forgive a little, never more than the loop's share of it.
    my ($served, $last, $refused) = (0);
    for (1 .. 660) {
        my $r = $other->get('/me/sessions');
        if ($r->{status} == 429) { $refused = $r; last }
        $served++;
        $last = $r;
    }
    cmp_ok($served, '>=', 600, 'at least 600 reads served');
    cmp_ok($served, '<=', 630, 'refused soon after 600 reads');
    ok($refused, 'a read was refused') and is_429($refused, 'the read past the limit');
    like($last->{headers}{'RateLimit-Remaining'}, qr/^\d+$/, 'RateLimit-Remaining on success');
}

# Far from the limit, a worker process charges a lease of 600/64 = 9 reads at once and
# serves the next ones of the window from it (src/ratelimit.hpp): the counter in Redis
# moves in steps of 9. (Near the limit every read is counted one by one: the block above.)
{
    my $u = $t->user;
    my $key = 'mskanban:rl:read:u:' . $u->id . ':';
    my ($counter, $before, $after);
    for (1 .. 3) {  # not across a minute boundary
        $before = int(time / 60);
        is($u->get('/me')->{status}, 200, 'a read') for 1 .. 16;
        $after = int(time / 60);
        $counter = redis("GET $key$after");
        last if $before == $after;
        sleep 1;
    }
    ok($counter >= 16 && $counter % 9 == 0, "16 reads charged in leases of 9 (counter $counter)");
}

done_testing;
