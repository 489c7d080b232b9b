# The stack trusts no local user (issue 18, item 4): PostgreSQL without `trust`, the
# workers' role cannot change the schema, Redis wants its password, the FastCGI socket
# is for the web server's group only, and the secrets are private.
use strict;
use warnings;
use Test::More;
use DBI;
use IO::Socket::INET;
use MSKanban::Test;

my $t = MSKanban::Test->new;
my ($host, $port, $db) = map { $t->env($_) } qw(MSKANBAN_PG_HOST MSKANBAN_PG_PORT MSKANBAN_PG_DB);
my $app_role = $t->env('MSKANBAN_PG_APP_ROLE');
plan skip_all => 'stack without separate roles' unless $app_role;
sub pg { DBI->connect("dbi:Pg:host=$host;port=$port;dbname=$db", $_[0], '', { RaiseError => 0, PrintError => 0 }) }

subtest 'PostgreSQL: the workers role' => sub {
    my $app = pg($app_role) or return fail("connect as $app_role: $DBI::errstr");
    my ($super, $createdb, $createrole) = $app->selectrow_array(
        'SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = current_user');
    ok(!$super && !$createdb && !$createrole, 'not a superuser, cannot create databases or roles');
    ok(defined $app->selectrow_array('SELECT count(*) FROM users'), 'reads rows');
    ok(!$app->do('DROP TABLE cards'), 'cannot drop a table') and like($app->errstr, qr/owner|permission/i, 'refused: not the owner');
    ok(!$app->do('CREATE TABLE intruder (x int)'), 'cannot create a table') and like($app->errstr, qr/permission denied/i, 'refused');
    ok(!$app->do('ALTER TABLE users ADD COLUMN x int'), 'cannot alter a table');
    ok(!$app->do('TRUNCATE sessions'), 'cannot truncate');
    ok(!$app->do("COPY users TO PROGRAM 'true'"), 'cannot run programs');
    my ($owner) = $app->selectrow_array(q{SELECT tableowner FROM pg_tables WHERE tablename = 'cards'});
    is($owner, $t->env('MSKANBAN_PG_OWNER'), 'the schema belongs to the owner role');
    isnt($owner, $app_role, 'not to the workers role');
};

subtest 'PostgreSQL: no trust, no superuser for the operator' => sub {
    ok(!pg('postgres'), 'the superuser is refused to this OS user') and like($DBI::errstr, qr/authentication failed|no pg_hba|not permitted/i, 'by peer authentication');
    ok(!pg('nosuchrole'), 'an unmapped role is refused');
    my @st = stat $host;
    is($st[2] & 07, 0, sprintf('the socket directory is closed to other users (%04o)', $st[2] & 0777));
    is(scalar getgrgid($st[5]), $t->env('MSKANBAN_WEB_GROUP'), "its group is the web server's (mod_fcgid workers)");
};

subtest 'Redis: the password is required' => sub {
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $t->env('MSKANBAN_REDIS_PORT')) or return fail("connect: $!");
    print $s "PING\r\n";
    like(scalar <$s>, qr/^-NOAUTH/, 'a command without AUTH is refused');
    print $s "AUTH not-the-password\r\n";
    like(scalar <$s>, qr/^-(WRONGPASS|ERR)/, 'a wrong password is refused');
    print $s "AUTH $ENV{REDISCLI_AUTH}\r\nPING\r\n";
    is(scalar <$s>, "+OK\r\n", 'the stack password is accepted');
    is(scalar <$s>, "+PONG\r\n", 'and then commands work');
    my $ctl = quotemeta($t->env('MSKANBAN_BUILD') . '/mskanbanctl');
    my $conf = quotemeta($t->env('MSKANBAN_CONFIG'));
    my $out = `$ctl -c $conf health 2>&1`;
    like($out, qr/"redis":"up"/, 'the core authenticates with redis_password from secrets_file');
    $out = `MSKANBAN_REDIS_PASSWORD=wrong $ctl -c $conf health 2>&1`;
    like($out, qr/"redis":"down"/, 'and counts a refused AUTH as Redis down');
    unlike($out, qr/wrong|\Q$ENV{REDISCLI_AUTH}\E/, 'without logging either password');
    $out = `MSKANBAN_REDIS_DB=1 $ctl -c $conf health 2>&1`;
    like($out, qr/"redis":"up"/, 'redis_db is SELECTed');
};

subtest 'files and sockets' => sub {
    my $sock = $t->env('MSKANBAN_FCGI_SOCKET');
    my @st = stat $sock or return fail("stat $sock: $!");
    is(sprintf('%04o', $st[2] & 07777), '0660', 'the FastCGI socket is 0660, not 0666');
    is(scalar getgrgid($st[5]), $t->env('MSKANBAN_WEB_GROUP'), "its group is the web server's");
    (my $dir = $sock) =~ s{/[^/]+$}{};
    is((stat $dir)[2] & 07, 0, 'its directory is closed to other users');
    for my $f ($t->env('MSKANBAN_REDIS_PASSWORD_FILE'), $t->env('MSKANBAN_STATE') . '/secrets.conf', $t->env('MSKANBAN_CONFIG')) {
        is(sprintf('%04o', (stat $f)[2] & 07777), '0600', "$f is 0600");
    }
};

done_testing;
