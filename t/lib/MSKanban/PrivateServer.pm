package MSKanban::PrivateServer;
# What the private front servers that tests start (MSKanban::Nginx, MSKanban::Apache,
# MSKanban::Lighttpd) have in common: where they listen and keep their files, their
# error log, waiting until they accept, reading a pid file, stopping a master process,
# and a tester whose clients talk through them. Each subclass knows how to start its
# server and which pid file it writes.
use strict;
use warnings;
use Carp qw(croak);
use File::Path ();
use IO::Socket::INET;
use Time::HiRes qw(time sleep);

sub port { $_[0]{port} }
# https when the server listens with TLS ({tls} holds its certificate, the clients' CA)
sub url { ($_[0]{tls} ? 'https' : 'http') . '://127.0.0.1:' . $_[0]{port} }
sub prefix { $_[0]{prefix} }

sub log_text {
    my ($self, $file) = @_;
    open my $fh, '<', "$self->{prefix}/logs/" . ($file // 'error.log') or return '';
    local $/;
    return <$fh>;
}

# Returns $self once the server accepts on its port and $ready->() holds; croaks with
# the error log after $seconds.
sub wait_ready {
    my ($self, $what, $seconds, $ready) = @_;
    my $deadline = time + $seconds;
    while (time < $deadline) {
        my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $self->{port});
        return $self if $s && $ready->();
        sleep 0.05;
    }
    croak "$what not ready: " . $self->log_text;
}

# The pid in a pid file under the prefix, or nothing.
sub read_pid {
    my ($self, $file) = @_;
    open my $fh, '<', "$self->{prefix}/$file" or return;
    my $pid = <$fh>;
    chomp $pid if defined $pid;
    return $pid;
}

# Sends $signal to $pid, waits up to $seconds for it to go, then kills it.
sub stop_pid {
    my ($self, $pid, $signal, $seconds) = @_;
    kill $signal, $pid;
    my $deadline = time + $seconds;
    while (time < $deadline && kill 0, $pid) { sleep 0.05 }
    kill 'KILL', $pid if kill 0, $pid;
}

# An MSKanban::Test whose clients (and their OpenAPI checks) go through this server.
sub tester {
    my ($self) = @_;
    my $t = $self->{t};
    $t->schema if $t->can("schema");
    return bless { %$t, env => { %{ $t->{env} }, MSKANBAN_URL => $self->url } }, ref $t;
}

# A worker of this server's own (the stack's config, with attachment_delivery =
# x-sendfile and its own attachment_dir and socket), run as the web user like
# the server, which reads the stored files (t/70apache.t, t/71lighttpd.t); its pid.
sub x_sendfile_worker {
    my ($t, $prefix, $attach) = @_;
    require MSKanban::Apache;
    my $conf = MSKanban::Apache::_worker_config($t, $prefix);
    open my $fh, '>>', $conf or croak $!;
    print $fh "listen = $prefix/worker/fcgi.sock\nattachment_dir = $attach\nattachment_delivery = x-sendfile\n";
    close $fh;
    File::Path::make_path($attach);
    my @as = ();
    if ($> == 0) {
        my ($wu, $wg) = ($t->env('MSKANBAN_WEB_USER') // 'www-data', $t->env('MSKANBAN_WEB_GROUP') // 'www-data');
        system('chown', '-R', "$wu:$wg", "$prefix/worker", $attach);
        @as = ('setpriv', "--reuid=$wu", "--regid=$wg", '--init-groups', '--');    # exec, no fork
    }
    my $bin = "$prefix/worker/mskanban-fcgi";    # the web user may not reach the build dir
    system('cp', $t->env('MSKANBAN_BUILD') . '/mskanban-fcgi', $bin) == 0 or croak 'copy worker';
    chmod 0755, $bin;
    my $pid = fork // croak "fork: $!";
    if (!$pid) {
        open STDERR, '>>', "$prefix/logs/worker.log";
        open STDIN, '<', '/dev/null';
        exec @as, $bin, '-c', $conf;
        exit 127;
    }
    my $deadline = time + 10;
    sleep 0.05 while !-S "$prefix/worker/fcgi.sock" && time < $deadline;
    croak 'the private worker did not start' unless -S "$prefix/worker/fcgi.sock";
    return $pid;
}

# Stops the worker x_sendfile_worker started for this server (it drains, then exits).
sub stop_worker {
    my ($self) = @_;
    my $w = delete $self->{worker} or return;
    kill 'TERM', $w;
    waitpid $w, 0;
}

sub DESTROY { $_[0]->stop }

1;
