# Guessing TOTP codes with a session: wrong codes at /auth/2fa/verify and /auth/2fa/disable
# count as failed logins of the account, so the login backoff (and lock) applies to them,
# to the login itself, and the other way round; a right code clears the count.
use strict;
use warnings;
use Test::More;
use Time::HiRes qw(sleep);
use MSKanban::Test;
use MSKanban::Totp qw(totp_code base32_decode);

my $t = MSKanban::Test->new;

sub wrong_code {
    my ($secret) = @_;
    my %valid = map { totp_code($secret, time + $_) => 1 } -60, -30, 0, 30, 60;
    my $c = 0;
    $c++ while $valid{ sprintf '%06d', $c };
    return sprintf '%06d', $c;
}

sub enroll {
    my ($u) = @_;
    my $e = $u->post('/auth/2fa/enroll');
    $t->ok_status($e, 200, 'enroll');
    return base32_decode($e->{json}{secret});
}

subtest 'verify: wrong codes back off' => sub {
    my $u = $t->user;
    my $secret = enroll($u);
    my $wrong = wrong_code($secret);
    $t->error_is($u->post('/auth/2fa/verify', { code => $wrong }), 400, 'BAD_REQUEST', "wrong code $_")
        for 1 .. 3;
    my $r = $u->post('/auth/2fa/verify', { code => $wrong });
    $t->error_is($r, 429, 'RATE_LIMITED', 'the fourth guess at once: 429');
    ok($r->{headers}{'Retry-After'}, 'with Retry-After');
    $t->error_is($u->post('/auth/2fa/verify', { code => totp_code($secret) }), 429, 'RATE_LIMITED',
        'even the right code waits');
    $t->error_is($t->client->post('/auth/login', { email => $u->email, authHash => $u->{authHash} }), 429,
        'RATE_LIMITED', 'and so does a login of the account: one count');
    sleep 1.2;
    $t->ok_status($u->post('/auth/2fa/verify', { code => totp_code($secret, time - 30) }), 200,
        'after the wait the right code enables TOTP');
    $t->ok_status($t->client->post('/auth/login', { email => $u->email, authHash => $u->{authHash},
        totp => totp_code($secret) }), 200, 'the right code cleared the count: login at once');
};

subtest 'disable: wrong codes back off, failed logins count too' => sub {
    my $u = $t->user;
    my $secret = enroll($u);
    sleep(30 - time % 30 + 1) if time % 30 > 27;
    $t->ok_status($u->post('/auth/2fa/verify', { code => totp_code($secret, time - 30) }), 200, 'enabled');
    my $wrong = wrong_code($secret);
    $t->error_is($t->client->post('/auth/login', { email => $u->email, authHash => random_b64(32) }), 401,
        'UNAUTHORIZED', 'a failed login');
    $t->error_is($u->post('/auth/2fa/disable', { code => $wrong }), 400, 'BAD_REQUEST', "wrong code $_") for 1 .. 2;
    $t->error_is($u->post('/auth/2fa/disable', { code => $wrong }), 429, 'RATE_LIMITED',
        'the third failure (one login, two codes) starts the backoff');
    my ($tf) = $t->dbh->selectrow_array('SELECT totp_secret IS NOT NULL FROM users WHERE id = ?', undef, $u->id);
    ok($tf, 'TOTP is still on');
};


done_testing;
