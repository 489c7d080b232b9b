package MSKanban::Apache;
# A private Apache httpd 2.4 (Debian's /usr/sbin/apache2) on a free loopback port, run
# from the site file users copy, conf/apache/mskanban.conf, with its Defines pointed at
# the test stack: mod_proxy_fcgi to the stack's FastCGI workers, or mod_fcgid spawning
# the worker itself, optionally forwarding the live stream and relay to a sidecar nginx.
# 'shared' is a shared host instead: conf/apache/shared-hosting/ in a web root with
# .htaccess allowed. Its own ServerRoot, pid file, logs and runtime dir; nothing of the
# system's Apache.
#
#   my $ap = MSKanban::Apache->new($t, mode => 'proxy_fcgi' | 'fcgid' | 'shared',
#       sidecar => $nginx_port, max_requests => 1, socket => $path);
#   my $ap = MSKanban::Apache->new($t, attachments => 1);   # proxy_fcgi to a private worker
#       (as the web user, attachment_delivery = x-sendfile, its own attachment_dir) and
#       mod_xsendfile
#   my $front = $ap->tester;     # an MSKanban::Test whose clients talk to Apache
use strict;
use warnings;
use Carp qw(croak);
use File::Path qw(make_path);
use File::Glob ();
use File::Copy qw(copy);
use IO::Socket::INET;
use Time::HiRes qw(time sleep);
use MSKanban::Nginx;
use parent 'MSKanban::PrivateServer';

my $SEQ = 0;
my $MODS = '/usr/lib/apache2/modules';

sub available { -x '/usr/sbin/apache2' && -f "$MODS/mod_proxy_fcgi.so" }
sub has_fcgid { -f "$MODS/mod_fcgid.so" }
sub has_xsendfile { -f "$MODS/mod_xsendfile.so" }

sub new {
    my ($class, $t, %o) = @_;
    my $mode = $o{mode} // 'proxy_fcgi';
    # Under the stack's shared dir: the web user's processes must reach it, and the
    # checkout may be private. Its user and group may use the FastCGI socket (0660).
    my $prefix = sprintf '%s/apache-%s-%d-%d', $t->env('MSKANBAN_SHARED') || $t->{state}, $mode, $$, ++$SEQ;
    my ($wu, $wg) = ($t->env('MSKANBAN_WEB_USER') // 'www-data', $t->env('MSKANBAN_WEB_GROUP') // 'www-data');
    make_path("$prefix/logs", "$prefix/run", "$prefix/fcgid");
    my $port = MSKanban::Nginx::free_port();
    my $src = $t->src;
    my $root = $> == 0;
    my @mods = qw(mpm_event authz_core alias);
    push @mods, $mode eq 'proxy_fcgi' ? qw(proxy proxy_fcgi) : qw(fcgid rewrite);
    push @mods, 'mime' if $mode eq 'shared';
    push @mods, qw(proxy proxy_http proxy_wstunnel) if $o{sidecar};
    my $worker;
    if ($o{attachments}) {
        push @mods, 'xsendfile';
        $worker = MSKanban::PrivateServer::x_sendfile_worker($t, $prefix, "$prefix/attachments");
        $o{socket} = "$prefix/worker/fcgi.sock";
    }
    my %seen;
    my $load = join '', map {"LoadModule ${_}_module $MODS/mod_$_.so\n"} grep { !$seen{$_}++ } @mods;
    # Apache's children (the web user) read the error documents at request time: give
    # them a copy of conf/, since the checkout may be private.
    system('cp', '-r', "$src/conf", "$prefix/conf") == 0 or croak "cannot copy conf/";
    my @define = (MSKANBAN_CONF_DIR => "$prefix/conf", MSKANBAN_VHOST => "127.0.0.1:$port",
                  MSKANBAN_FCGI_SOCKET => $o{socket} // $t->env('MSKANBAN_FCGI_SOCKET'));
    push @define, MSKANBAN_SIDECAR => "127.0.0.1:$o{sidecar}" if $o{sidecar};
    push @define, MSKANBAN_ATTACHMENT_DIR => "$prefix/attachments" if $o{attachments};
    my $extra = '';
    my $site = qq{Include "$src/conf/apache/mskanban.conf"};
    if ($mode eq 'shared') {
        # A shared host: the files of conf/apache/shared-hosting in a web root that
        # allows .htaccess, the worker and its config in a "home" outside it.
        my $home = "$prefix/home/mskanban";
        make_path("$home/bin", "$prefix/www/mskanban-errors");
        _worker_config($t, $prefix);
        rename "$prefix/worker/$_", "$home/$_" for qw(mskanban.conf secrets.conf);
        _rewrite_secrets("$home/mskanban.conf", "$home/secrets.conf");
        # A copy, not a link: the web user may not reach the build dir (a private checkout).
        copy($t->env('MSKANBAN_BUILD') . '/mskanban-fcgi', "$home/bin/mskanban-fcgi") or croak "copy worker: $!";
        chmod 0755, "$home/bin/mskanban-fcgi";
        my $sh = "$src/conf/apache/shared-hosting";
        copy("$sh/htaccess", "$prefix/www/.htaccess") or croak $!;
        copy("$sh/api.fcgi", "$prefix/www/api.fcgi") or croak $!;
        chmod 0755, "$prefix/www/api.fcgi";
        copy("$sh/errors-htaccess", "$prefix/www/mskanban-errors/.htaccess") or croak $!;
        copy($_, "$prefix/www/mskanban-errors/") or croak $! for File::Glob::bsd_glob("$src/conf/errors/*.json");    # no split on spaces
        system('chown', '-R', "$wu:$wg", "$prefix/home", "$prefix/fcgid") if $root;
        chmod 0755, "$prefix/fcgid";
        # What the user does by editing MSKANBAN_HOME in api.fcgi; what a host sets.
        $extra .= "FcgidIPCDir $prefix/fcgid\nFcgidProcessTableFile $prefix/fcgid/shm\n"
            . "FcgidInitialEnv MSKANBAN_HOME $home\nFcgidMaxRequestLen 2097152\nTypesConfig /etc/mime.types\n";
        $site = "<VirtualHost 127.0.0.1:$port>\n    DocumentRoot $prefix/www\n"
            . "    <Directory $prefix/www>\n        AllowOverride All\n        Require all granted\n    </Directory>\n"
            . "</VirtualHost>";
    }
    if ($mode eq 'fcgid') {
        # The spawned workers run as Apache's user: give them a config they can read,
        # with `listen` empty (the socket comes from Apache on fd 0).
        my $conf = _worker_config($t, $prefix);
        chmod 0755, "$prefix/fcgid";
        system('chown', '-R', "$wu:$wg", "$prefix/worker", "$prefix/fcgid") if $root;
        # mod_fcgid starts the worker as the web user, which may not reach the build dir
        # (a private checkout), and splits FcgidWrapper on spaces: run a copy from here.
        copy($t->env('MSKANBAN_BUILD') . '/mskanban-fcgi', "$prefix/worker/mskanban-fcgi") or croak "copy worker: $!";
        chmod 0755, "$prefix/worker/mskanban-fcgi";
        push @define, MSKANBAN_FCGI_BIN => "$prefix/worker/mskanban-fcgi", MSKANBAN_CONFIG => $conf;
        $extra .= "FcgidIPCDir $prefix/fcgid\nFcgidProcessTableFile $prefix/fcgid/shm\n";
        push @define, MSKANBAN_FCGID_MAX_REQUESTS => $o{max_requests} if $o{max_requests};
        # mod_fcgid throttles spawning (a score that rises per spawn and exit, decaying
        # 1/s): a process per request needs room, as docs/deploy-apache.md says.
        $extra .= "FcgidSpawnScoreUpLimit 1000\nFcgidTerminationScore 0\n" if ($o{max_requests} // 1000) < 10;
    }
    my $defines = '';
    while (my ($k, $v) = splice @define, 0, 2) { $defines .= "Define $k \"$v\"\n" }    # paths may have spaces
    my $user = $root ? "User $wu\nGroup $wg\n" : '';
    open my $fh, '>', "$prefix/httpd.conf" or croak $!;
    print $fh <<CONF;
# Generated by t/lib/MSKanban/Apache.pm for a test; the site is conf/apache/mskanban.conf.
ServerRoot $prefix
$load$user
Listen 127.0.0.1:$port
ServerName localhost
PidFile $prefix/httpd.pid
DefaultRuntimeDir $prefix/run
Mutex file:$prefix/run default
ErrorLog $prefix/logs/error.log
LogLevel warn
LogFormat "%a %>s %m %U %D" mskanban
CustomLog $prefix/logs/access.log mskanban
StartServers 1
ServerLimit 4
ThreadsPerChild 25
MaxRequestWorkers 100
MinSpareThreads 5
MaxSpareThreads 50
$defines$extra
$site
CONF
    close $fh;
    my $self = bless { t => $t, prefix => $prefix, port => $port, owner => $$, mode => $mode, worker => $worker }, $class;
    $self->start;
    return $self;
}

# The stack's config, minus `listen`, plus what the spawned workers need, readable by
# Apache's user; the secrets file copied next to it.
sub _worker_config {
    my ($t, $prefix) = @_;
    make_path("$prefix/worker");
    my $conf = "$prefix/worker/mskanban.conf";
    open my $in, '<', $t->env('MSKANBAN_CONFIG') or croak $!;
    open my $out, '>', $conf or croak $!;
    while (<$in>) {
        next if /^\s*listen\s*=/;
        s{^(\s*secrets_file\s*=\s*).*}{$1$prefix/worker/secrets.conf};
        # The worker's own page of threads: mod_fcgid sends one request at a time.
        print $out $_;
    }
    close $out;
    copy($t->env('MSKANBAN_STATE') . '/secrets.conf', "$prefix/worker/secrets.conf") or croak $!;
    chmod 0600, "$prefix/worker/secrets.conf";
    chmod 0644, $conf;
    return $conf;
}

sub _rewrite_secrets {
    my ($conf, $secrets) = @_;
    open my $in, '<', $conf or croak $!;
    my $text = do { local $/; <$in> };
    close $in;
    $text =~ s{^(\s*secrets_file\s*=\s*).*}{$1$secrets}m;
    open my $out, '>', $conf or croak $!;
    print $out $text;
}

sub start {
    my ($self) = @_;
    my @cmd = ('/usr/sbin/apache2', '-d', $self->{prefix}, '-f', "$self->{prefix}/httpd.conf");
    # the config test, quietly unless it fails
    my $pid = open(my $out, '-|') // croak "fork: $!";
    if (!$pid) { open STDERR, '>&', \*STDOUT; exec @cmd, '-t'; exit 127 }
    my $check = do { local $/; <$out> };
    close $out or croak "apache config test failed: $check";
    system(@cmd, '-k', 'start') == 0 or croak 'apache did not start: ' . $self->log_text;
    return $self->wait_ready('apache', 10, sub { -s "$self->{prefix}/httpd.pid" });
}

sub master_pid { $_[0]->read_pid('httpd.pid') }

sub stop {
    my ($self) = @_;
    return if $$ != $self->{owner} || $self->{stopped}++;
    $self->stop_worker;
    my $pid = $self->master_pid or return;
    $self->stop_pid($pid, 'TERM', 10);
}

1;
