# `mskanban recover` end to end (issue 13): a person who lost the password recovers the
# account from the recovery phrase alone. The phrase opens the User Symmetric Key and the
# X25519 secret key, so both the boards of the person's own workspace (key wrapped by the
# USK) and a workspace shared with them (key sealed to their X25519 key) still decrypt;
# the old password and the old phrase stop working, the old session file is refused, a
# new phrase is printed once. A wrong phrase and an unknown email fail alike, before any
# change.
use strict;
use warnings;
use utf8;
use Test::More;
use File::Copy qw(copy);
use File::Temp qw(tempdir);
use Mojo::JSON qw(decode_json);
use MSKanban::Test;
use MSKanban::Cli;
use MSKanban::Proxy;

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

# recover with the phrase in MSKANBAN_RECOVERY_PHRASE and the new password in
# MSKANBAN_PASSWORD, from a fresh address each time (login and recovery share the per-address
# budget of 10 a minute).
sub recover {
    my ($who, $phrase, $new_password, @args) = @_;
    local $ENV{MSKANBAN_RECOVERY_PHRASE} = $phrase;
    return run({ %$who, password => $new_password, ip => MSKanban::Test->next_ip }, 'recover', $who->{email}, @args);
}

my $alice = person('alice');
my $bob = person('bob');
run_ok($alice, 'registers', 'register', $alice->{email});
my ($rc, $out, $err) = run($bob, 'register', $bob->{email});
is($rc, 0, 'bob registers') or diag($err);
my ($phrase) = $err =~ $PHRASE;
ok($phrase, 'the recovery phrase is shown');
my ($verifier) = $t->dbh->selectrow_array('SELECT recovery_verifier FROM users WHERE email = ?', undef, $bob->{email});
like($verifier // '', qr/^\$argon2id\$/, 'register sent a recovery verifier (stored hashed)');

# bob's own board, and alice's workspace shared with him (its key sealed to bob's X25519 key)
my $ws = json_of(run_ok($bob, 'workspace create', '--json', 'workspace', 'create', "Bob's $tag"));
my $board = json_of(run_ok($bob, 'board create', '--json', 'board', 'create', $ws->{id}, "Plans $tag"));
run_ok($bob, 'card add', 'card', 'add', $board->{id}, 'To do', "Secret card $tag");
my $aws = json_of(run_ok($alice, 'workspace create', '--json', 'workspace', 'create', "Alice's $tag"));
my $aboard = json_of(run_ok($alice, 'board create', '--json', 'board', 'create', $aws->{id}, "Shared $tag"));
run_ok($alice, 'card add', 'card', 'add', $aboard->{id}, 'To do', "Shared card $tag");
run_ok($alice, 'invites bob', 'workspace', 'invite', $aws->{id}, $bob->{email});
my $before = json_of(run_ok($bob, 'board show', '--json', 'board', 'show', $board->{id}));
my $shared_before = json_of(run_ok($bob, 'shared board show', '--json', 'board', 'show', $aboard->{id}));
copy($bob->{state}, "$dir/bob-old.json") or die "copy: $!";
chmod 0600, "$dir/bob-old.json";

# --- failures change nothing -----------------------------------------------------------------
my $other_phrase = do {
    my $tmp = person('tmp');
    my (undef, undef, $e) = run($tmp, 'register', $tmp->{email}, '--no-login');
    ($e =~ $PHRASE)[0];
};
ok($other_phrase, 'another account\'s phrase (valid checksum)');
($rc, $out, $err) = recover({ %$bob, state => "$dir/x.json" }, $other_phrase, 'a new password 1');
is($rc, 3, 'a wrong phrase: exit 3');
like($err, qr/recovery phrase does not open/, 'a wrong phrase: said so');
($rc, $out, $err) = recover({ %$bob, email => "nobody-$tag\@example.org", state => "$dir/x.json" }, $phrase,
    'a new password 1');
is($rc, 3, 'an unknown email: exit 3, the same as a wrong phrase');
like($err, qr/recovery phrase does not open/, 'an unknown email: the same message');
($rc, $out, $err) = recover({ %$bob, state => "$dir/x.json" }, substr($phrase, 0, 20), 'a new password 1');
is($rc, 2, 'a truncated phrase: usage error');
($rc, undef, $err) = run({ %$bob, state => "$dir/x.json" }, 'recover', $bob->{email}, '--phrase', $phrase);
is($rc, 2, 'the phrase on the command line is refused');
like($err, qr/never taken on the command line/, 'and says why');
run_ok($bob, 'the old session still works', 'whoami');

# --- recovery ----------------------------------------------------------------------------------
my $new_password = "a brand new password $tag";
($rc, $out, $err) = recover($bob, $phrase, $new_password);
is($rc, 0, 'recover') or diag($err);
my ($new_phrase) = $err =~ $PHRASE;
ok($new_phrase, 'a new recovery phrase is printed, on stderr');
isnt($new_phrase, $phrase, 'and it is a new one');
unlike($out, qr/\Q$new_phrase\E/, 'not on stdout') if $new_phrase;
like($out, qr/Logged in as \Q$bob->{email}\E/, 'logged in with the new password');

my $after = json_of(run_ok($bob, 'board show after recovery', '--json', 'board', 'show', $board->{id}));
is_deeply($after, $before, 'the own board decrypts as before');
my $shared_after = json_of(run_ok($bob, 'shared board after recovery', '--json', 'board', 'show', $aboard->{id}));
is_deeply($shared_after, $shared_before, 'the shared board (key sealed to the kept key pair) decrypts as before');

($rc, undef, $err) = run({ %$bob, state => "$dir/bob-old.json" }, 'whoami');
is($rc, 3, 'the session from before recovery: exit 3') or diag($err);
($rc, undef, $err) = run({ %$bob, state => "$dir/old-pw.json", ip => MSKanban::Test->next_ip }, 'login', $bob->{email});
is($rc, 3, 'the old password: exit 3');
my $nb = { %$bob, password => $new_password, state => "$dir/new-pw.json", ip => MSKanban::Test->next_ip };
run_ok($nb, 'the new password logs in', 'login', $bob->{email});
my $again = json_of(run_ok($nb, 'board show in the new session', '--json', 'board', 'show', $board->{id}));
is_deeply($again, $before, 'and reads the board made before');
($rc, undef, $err) = recover({ %$bob, state => "$dir/x.json" }, $phrase, 'yet another password');
is($rc, 3, 'the old phrase no longer recovers');
($rc, $out, $err) = recover({ %$bob, state => "$dir/again.json" }, $new_phrase, 'yet another password');
is($rc, 0, 'the new phrase does') or diag($err);

$proxy->finish('the CLI');
done_testing();
