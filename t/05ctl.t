# mskanbanctl and config validation against the test stack's database.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempfile);
use MSKanban::Test qw(envelope);

my $t = MSKanban::Test->new;
my $ctl = quotemeta($t->env('MSKANBAN_BUILD') . '/mskanbanctl');
my $fcgi = quotemeta($t->env('MSKANBAN_BUILD') . '/mskanban-fcgi');
my $conf = quotemeta($t->env('MSKANBAN_CONFIG'));
# Migrations run as the schema owner; the stack config's role (the workers') may not.
my $pg = sprintf "host='%s' port=%s user=%s", $t->env('MSKANBAN_PG_HOST'), $t->env('MSKANBAN_PG_PORT'), $t->env('MSKANBAN_PG_OWNER') // 'mskanban';
my $owner = 'MSKANBAN_DATABASE_URL=' . quotemeta("$pg dbname=" . $t->env('MSKANBAN_PG_DB'));

sub run { my $out = `@_ 2>&1`; return ($? >> 8, $out) }

my ($rc, $out) = run($ctl, '-c', $conf, 'check-config');
is($rc, 0, 'check-config accepts the stack config') or diag $out;

# Migrations: already applied, so nothing to do; twice at once is safe too.
($rc, $out) = run($owner, $ctl, '-c', $conf, 'migrate');
is($rc, 0, 'migrate again') or diag $out;
unlike($out, qr/applied/, 'nothing applied the second time');
like($out, qr/schema at version \d+/, 'reports the schema version');
my @kids = map { my $pid = open(my $fh, '-|', "$owner $ctl -c $conf migrate 2>&1") or die; [$pid, $fh] } 1 .. 2;
for my $k (@kids) { my $o = do { local $/; readline $k->[1] }; close $k->[1]; is($?, 0, 'concurrent migrate') or diag $o }
my ($versions) = $t->dbh->selectrow_array('SELECT count(*) - count(DISTINCT version) FROM schema_migrations');
is($versions, 0, 'each migration recorded once');

# A fresh database: migrate creates every table, in one transaction.
my $db = "ctl_test_$$";
$t->dbh->do("CREATE DATABASE $db");
my $url = "$pg dbname=$db";
($rc, $out) = run('MSKANBAN_DATABASE_URL=' . quotemeta($url), $ctl, '-c', $conf, 'migrate');
is($rc, 0, 'migrate a fresh database') or diag $out;
like($out, qr/applied 001_init/, 'applies 001');
($rc, $out) = run('MSKANBAN_DATABASE_URL=' . quotemeta($url), $ctl, '-c', $conf, 'health');
is($rc, 0, 'health') or diag $out;
like($out, qr/"ok":true.*"schemaVersion":\d+/, 'health reports the schema version');
$t->dbh->do("DROP DATABASE $db");

($rc, $out) = run("MSKANBAN_REDIS_PORT=1", $ctl, '-c', $conf, 'health');
isnt($rc, 0, 'health fails when Redis is unreachable');
like($out, qr/"redis":"down"/, 'and says so');

# Config errors name the key, in the file or in the environment; the worker refuses to start.
my ($fh, $bad) = tempfile(UNLINK => 1);
print $fh "threads = 4\nredis_prot = 6379\n";
close $fh;
($rc, $out) = run($ctl, '-c', $bad, 'check-config');
isnt($rc, 0, 'unknown key rejected');
like($out, qr/\Q$bad\E:2: unknown key "redis_prot"/, 'names the file, line and key');
($rc, $out) = run("MSKANBAN_THREADS=lots", $fcgi, '-c', $conf, '--check-config');
isnt($rc, 0, 'the worker refuses a bad environment override');
like($out, qr/MSKANBAN_THREADS.*"threads"/, 'names the variable and key');
($rc, $out) = run("MSKANBAN_SECRETS_FILE=/nonexistent", $fcgi, '-c', $conf, '--check-config');
like($out, qr/secrets_file/, 'a missing secrets file is named');

# gc: ended sessions (a day after they ended) and expired idempotency keys go; live ones stay.
{
    my $u = $t->user;
    my @ended = map { my $c = $t->client; $c->login($u->email, $u->{authHash}); $c->{session_id} } 1 .. 3;
    my $dbh = $t->dbh;
    $dbh->do(q{UPDATE sessions SET expires_at = now() - interval '2 days' WHERE id = ?}, undef, $ended[0]);
    $dbh->do(q{UPDATE sessions SET revoked_at = now() - interval '2 days' WHERE id = ?}, undef, $ended[1]);
    $dbh->do(q{UPDATE sessions SET last_seen_at = now() - interval '3 days' WHERE id = ?}, undef, $ended[2]);
    my $created = $u->post('/workspaces', { encName => envelope(32), encWorkspaceKey => envelope(32) },
        { 'Idempotency-Key' => "gc-$$" });
    is($created->{status}, 201, 'a POST with an Idempotency-Key');
    $dbh->do(q{UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = ?}, undef, "gc-$$");
    ($rc, $out) = run($ctl, '-c', $conf, 'gc');
    is($rc, 0, 'gc') or diag $out;
    like($out, qr/deleted [1-9]\d* ended sessions, [1-9]\d* expired idempotency keys/, 'gc reports what it deleted');
    is($t->count_rows('SELECT 1 FROM sessions WHERE id = ANY($1)', \@ended), 0, 'ended sessions deleted');
    is($t->count_rows('SELECT 1 FROM idempotency_keys WHERE key = $1', "gc-$$"), 0, 'expired key deleted');
    is($u->get('/me')->{status}, 200, 'the live session is untouched');
}

# gen-secrets: two different 32-byte keys.
($rc, $out) = run($ctl, 'gen-secrets');
my ($a, $h) = $out =~ /at_rest_key = ([0-9a-f]{64}).*hash_key = ([0-9a-f]{64})/s;
ok($a && $h && $a ne $h, 'gen-secrets prints two distinct keys');

done_testing;
