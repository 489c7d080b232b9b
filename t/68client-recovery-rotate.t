# `mskanban recovery rotate` end to end (issue 13): a signed-in user replaces the recovery
# phrase with the password (PUT /me/recovery). The old phrase is refused by `recover`, the
# new one recovers and the board made before still decrypts. A wrong password changes
# nothing. An account without a verifier (registered before migration 015) gets one and
# can recover afterwards. With TOTP on, the code comes from MSKANBAN_TOTP (or --totp, or
# the prompt) and rotation without one is refused before anything is sent.
use strict;
use warnings;
use utf8;
use Test::More;
use File::Temp qw(tempdir);
use Mojo::JSON qw(decode_json);
use MSKanban::Test;
use MSKanban::Cli;
use MSKanban::Proxy;
use MSKanban::Totp qw(totp_code base32_decode);

my $t = MSKanban::Test->new;
my $cli = MSKanban::Cli::binary($t);
my $proxy = MSKanban::Proxy->new($t);
my $dir = tempdir(CLEANUP => 1);
my $tag = join '', map { ('a' .. 'z')[ rand 26 ] } 1 .. 8;

sub person { MSKanban::Cli::person($_[0], $tag, $dir, $proxy->url) }
sub run { MSKanban::Cli::run($cli, @_) }
sub run_ok { my ($who, $name, @args) = @_; MSKanban::Cli::run_ok($cli, $who, "$who->{name}: $name", @args) }
sub json_of { my $j = eval { decode_json($_[0]) }; $j }
my $PHRASE = $MSKanban::Cli::PHRASE;

sub recover {
    my ($who, $phrase, $new_password) = @_;
    local $ENV{MSKANBAN_RECOVERY_PHRASE} = $phrase;
    return run({ %$who, password => $new_password, ip => MSKanban::Test->next_ip, state => "$dir/r-" . rand() . '.json' },
        'recover', $who->{email});
}
sub stored {
    my ($who) = @_;
    return $t->dbh->selectrow_arrayref(
        'SELECT recovery_verifier, enc_recovery_blob, enc_recovery_private_key FROM users WHERE email = ?',
        undef, $who->{email});
}

my $bob = person('bob');
my ($rc, $out, $err) = run($bob, 'register', $bob->{email});
is($rc, 0, 'bob registers') or diag($err);
my ($phrase) = $err =~ $PHRASE;
ok($phrase, 'the first phrase is shown');
my $ws = json_of(run_ok($bob, 'workspace create', '--json', 'workspace', 'create', "Bob's $tag"));
my $board = json_of(run_ok($bob, 'board create', '--json', 'board', 'create', $ws->{id}, "Plans $tag"));
run_ok($bob, 'card add', 'card', 'add', $board->{id}, 'To do', "Secret card $tag");
my $before = json_of(run_ok($bob, 'board show', '--json', 'board', 'show', $board->{id}));

# --- a wrong password changes nothing --------------------------------------------------------
my $was = stored($bob);
($rc, $out, $err) = run({ %$bob, password => 'not the password' }, 'recovery', 'rotate');
is($rc, 3, 'a wrong password: exit 3');
like($err, qr/recovery phrase not changed/, 'a wrong password: said so');
unlike($err, $PHRASE, 'no phrase is printed');
is_deeply(stored($bob), $was, 'a wrong password: verifier and wraps unchanged');
($rc, undef, $err) = run($bob, 'recovery', 'rotate', 'extra');
is($rc, 2, 'an extra argument: usage error');

# --- rotation ----------------------------------------------------------------------------------
($rc, $out, $err) = run($bob, 'recovery', 'rotate');
is($rc, 0, 'recovery rotate') or diag($err);
my ($new_phrase) = $err =~ $PHRASE;
ok($new_phrase, 'a new phrase is printed, on stderr');
isnt($new_phrase, $phrase, 'and it is a new one');
like($err, qr/old one no longer works/, 'with a warning that the old one is dead');
unlike($out, qr/\Q$new_phrase\E/, 'not on stdout') if $new_phrase;
isnt(stored($bob)->[0], $was->[0], 'the stored verifier changed');
run_ok($bob, 'the session still works', 'whoami');

($rc, undef, $err) = recover($bob, $phrase, 'a new password 1');
is($rc, 3, 'the old phrase is refused by recover');
my $new_password = "a brand new password $tag";
($rc, $out, $err) = recover({ %$bob, state => "$dir/bob-new.json" }, $new_phrase, $new_password);
is($rc, 0, 'the new phrase recovers') or diag($err);
my $nb = { %$bob, password => $new_password, state => "$dir/bob-after.json", ip => MSKanban::Test->next_ip };
run_ok($nb, 'the new password logs in', 'login', $bob->{email});
my $after = json_of(run_ok($nb, 'board show after recovery', '--json', 'board', 'show', $board->{id}));
is_deeply($after, $before, 'the board made before decrypts');

# --- an account without a verifier (registered before migration 015) ----------------------------
my $old = person('old');
($rc, undef, $err) = run($old, 'register', $old->{email});
is($rc, 0, 'old registers') or diag($err);
my ($first) = $err =~ $PHRASE;
$t->dbh->do('UPDATE users SET recovery_verifier = NULL, enc_recovery_private_key = NULL WHERE email = ?',
    undef, $old->{email});
($rc, undef, $err) = recover($old, $first, "another new password $tag");
is($rc, 3, 'without a verifier the account cannot recover');
($rc, undef, $err) = run($old, 'recovery', 'rotate');
is($rc, 0, 'rotate on an account without a verifier') or diag($err);
my ($old_phrase) = $err =~ $PHRASE;
ok($old_phrase, 'prints a phrase');
like(stored($old)->[0] // '', qr/^\$argon2id\$/, 'the verifier is stored hashed');
($rc, undef, $err) = recover($old, $old_phrase, "another new password $tag");
is($rc, 0, 'and that phrase recovers the account') or diag($err);

# --- TOTP on: the code is sent with the request ------------------------------------------------
my $tina = person('tina');
run_ok($tina, 'registers', 'register', $tina->{email});
my $token = json_of(do { open my $fh, '<', $tina->{state} or die $!; local $/; <$fh> })->{sessionToken};
my $u = $t->client;
my %cookie = (Cookie => "mskanban_session=$token");
my $enroll = $u->post('/auth/2fa/enroll', {}, \%cookie);
my $secret = base32_decode($enroll->{json}{secret} // '');
$t->ok_status($u->post('/auth/2fa/verify', { code => totp_code($secret, time - 30) }, \%cookie), 200, 'TOTP on');
$was = stored($tina);
($rc, undef, $err) = run($tina, 'recovery', 'rotate');
is($rc, 2, 'TOTP on and no code (no terminal): usage error');
like($err, qr/--totp CODE or set MSKANBAN_TOTP/, 'says where the code goes');
is_deeply(stored($tina), $was, 'nothing changed');
{
    local $ENV{MSKANBAN_TOTP} = totp_code($secret);
    ($rc, undef, $err) = run($tina, 'recovery', 'rotate');
}
is($rc, 0, 'with MSKANBAN_TOTP: rotated') or diag($err);
isnt(stored($tina)->[0], $was->[0], 'the stored verifier changed');

# --- a security key: the CLI cannot sign the step-up challenge PUT /me/recovery then needs ------
my $kim = person('kim');
run_ok($kim, 'registers', 'register', $kim->{email});
my $kim_id = $t->dbh->selectrow_array('SELECT id FROM users WHERE email = ?', undef, $kim->{email});
# a security key, as POST /auth/webauthn/verify would store it (sql/016_webauthn.sql)
$t->dbh->do(q{INSERT INTO webauthn_credentials (id, user_id, credential_id, public_key, cose_alg)
              VALUES (?, ?, ?, ?, -7)}, undef, "cwakim$tag", $kim_id, "kimkey$tag", "kimpublickey$tag");
$was = stored($kim);
($rc, undef, $err) = run($kim, 'recovery', 'rotate');
is($rc, 3, 'a security key: exit 3');
like($err, qr/security key, which the CLI cannot use/, 'says the key is why, and what to do');
unlike($err, $PHRASE, 'no phrase printed');
is_deeply(stored($kim), $was, 'nothing changed');

$proxy->finish('the CLI');
done_testing();
