package MSKanban::Cli;
# Runs the mskanban CLI in tests as one person: their password, session file, loopback
# source address (so per-IP rate limits stay theirs) and server URL (usually an
# MSKanban::Proxy, which checks every answer against OpenAPI). Arguments and output are
# bytes, as a terminal sees them.
#
#   my $cli = MSKanban::Cli::binary($t);   # skips the file when the CLI is not built
#   my $me = { password => ..., state => "$dir/s.json", ip => $ip, server => $proxy->url };
#   my ($rc, $stdout, $stderr) = MSKanban::Cli::run($cli, $me, 'board', 'show', $id);
#   my $stdout = MSKanban::Cli::run_ok($cli, $me, 'board show', 'board', 'show', $id);
use strict;
use warnings;
use Test::More;
use IPC::Open3 qw(open3);
use Symbol qw(gensym);
use MSKanban::Test ();

# A person for a CLI test: a unique email and password (from $tag), a session file in $dir,
# a loopback source address of their own, talking to $server.
sub person {
    my ($name, $tag, $dir, $server) = @_;
    return { name => $name, email => "$name-$tag-$$\@example.org", password => "correct horse $name $tag",
             state => "$dir/$name.json", ip => MSKanban::Test->next_ip, server => $server };
}

# A recovery phrase as the CLI prints it on stderr (14 groups of 4); $1 is the phrase.
our $PHRASE = qr/\n\s+((?:[0-9A-Z]{4}-){13}[0-9A-Z]{4})\n/;

# The built mskanban binary of this test run (MSKANBAN_BUILD); skips the whole file when it
# is missing.
sub binary {
    my ($t) = @_;
    my $build = $ENV{MSKANBAN_BUILD} // $t->env('MSKANBAN_BUILD');
    my $cli = "$build/mskanban";
    plan skip_all => "no $cli (build first)" unless -x $cli;
    return $cli;
}

sub run {
    my ($cli, $who, @args) = @_;
    local $ENV{MSKANBAN_PASSWORD} = $who->{password};
    local $ENV{MSKANBAN_BIND_ADDRESS} = $who->{ip};
    local $ENV{MSKANBAN_SERVER} = $who->{server};
    my $err = gensym;
    my $pid = open3(my $in, my $out, $err, $cli, '--state', $who->{state}, @args);
    close $in;
    my $stdout = do { local $/; <$out> } // '';
    my $stderr = do { local $/; <$err> } // '';
    waitpid $pid, 0;
    return ($? >> 8, $stdout, $stderr);
}

# run() that must exit 0 (one test named $name); returns stdout.
sub run_ok {
    my ($cli, $who, $name, @args) = @_;
    my ($rc, $out, $err) = run($cli, $who, @args);
    is($rc, 0, $name) or diag("mskanban @args\n$err$out");
    return $out;
}

1;
