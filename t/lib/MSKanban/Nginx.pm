package MSKanban::Nginx;
# A private nginx with ngx_http_mskanban_module loaded, on a free loopback port, sharing
# the test stack's Redis and FastCGI workers: the base of MSKanban::Live::Nginx (live
# stream) and MSKanban::WS::Nginx (relay), which supply the server block and say when
# their workers are ready. With MSKANBAN_VALGRIND=1 it runs as one process under
# valgrind, and stop() fails the test on any record the report attributes to the module.
#
#   MSKanban::Nginx->new($t, kind => 'live', name => 'a', workers => 2, so => $path,
#       server => "location ... { ... }", http => {directive => value},
#       listen => 'sndbuf=4k', log => '$pid $status $request_uri', error_level => 'info',
#       worker_connections => 1024, stop_timeout => 10,
#       preload => [other module .so, loaded before ours], postload => [..., after ours],
#       main => "more main-context directives;",
#       tls => {cert => $pem, key => $pem} (listens with TLS; clients trust $pem),
#       ready => sub { my $self = shift; ...number of workers ready... });
use strict;
use warnings;
use Carp qw(croak);
use IO::Socket::INET;
use File::Path qw(make_path);
use POSIX qw(WNOHANG);
use Time::HiRes qw(time sleep);
use Test::More;
use parent 'MSKanban::PrivateServer';

my $SEQ = 0;

sub free_port {
    my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1', LocalPort => 0, ReuseAddr => 1)
        or croak "no free port: $!";
    my $port = $s->sockport;
    close $s;
    return $port;
}

sub new {
    my ($class, $t, %o) = @_;
    my $kind = $o{kind} // 'nginx';
    my $name = $o{name} // $kind;
    my $prefix = sprintf '%s/%s-nginx-%s-%d-%d', $t->{state}, $kind, $name, $$, ++$SEQ;
    # The workers run as the stack's web user and write temp files where it can reach
    # (the checkout may be private): a dir of their own under the stack's nginx-tmp.
    my ($web_user, $web_group) = ($t->env('MSKANBAN_WEB_USER'), $t->env('MSKANBAN_WEB_GROUP'));
    my $tmp = sprintf '%s/%s-%s-%d-%d', $t->env('MSKANBAN_NGINX_TMP') // "$prefix/tmp", $kind, $name, $$, $SEQ;
    make_path("$prefix/logs", map {"$tmp/$_"} qw(body fastcgi proxy scgi uwsgi));
    if ($> == 0 && defined $web_user) {
        my ($uid, $gid) = ((getpwnam $web_user)[2], (getgrnam $web_group)[2]);
        chown $uid, $gid, $tmp, map {"$tmp/$_"} qw(body fastcgi proxy scgi uwsgi);
    }
    my $valgrind = $ENV{MSKANBAN_VALGRIND} ? 1 : 0;
    my $workers = $valgrind ? 1 : ($o{workers} // 2);
    my $port = free_port();
    my $http = join '', map {"    $_ $o{http}{$_};\n"} sort keys %{ $o{http} // {} };
    my $listen = $o{listen} // '';
    my $tls = '';
    if ($o{tls}) {
        $listen = "ssl $listen";
        $tls = qq{ssl_certificate "$o{tls}{cert}";\n        ssl_certificate_key "$o{tls}{key}";};
    }
    # The stack's web user: its group may use the FastCGI socket (0660).
    my $user = $> == 0 ? 'user ' . ($t->env('MSKANBAN_WEB_USER') // 'www-data') . ' ' . ($t->env('MSKANBAN_WEB_GROUP') // 'www-data') . ';' : '';
    my $redis_pw = length($ENV{REDISCLI_AUTH} // '') ? "mskanban_redis_password $ENV{REDISCLI_AUTH};" : '';
    my $src = $t->src;
    my $fcgi = $t->env('MSKANBAN_FCGI_SOCKET');
    my $redis = $t->env('MSKANBAN_REDIS_PORT');
    my $process = $valgrind ? "master_process off;\ndaemon off;" : "daemon on;";
    my $log = $o{log} // '$pid $status $request_uri';
    my $error_level = $o{error_level} // 'info';
    my $connections = $o{worker_connections} // 1024;
    my $main = $o{main} // '';
    my $load = join "\n", map {"load_module \"$_\";"} @{ $o{preload} // [] }, $o{so}, @{ $o{postload} // [] };
    open my $fh, '>', "$prefix/nginx.conf" or croak $!;
    print $fh <<CONF;
$load
$user
$main
worker_processes $workers;
$process
pid "$prefix/nginx.pid";
error_log "$prefix/logs/error.log" $error_level;
events { worker_connections $connections; }
http {
    log_format test '$log';
    access_log "$prefix/logs/access.log" test;
    client_body_temp_path "$tmp/body";
    fastcgi_temp_path "$tmp/fastcgi";
    proxy_temp_path "$tmp/proxy";
    scgi_temp_path "$tmp/scgi";
    uwsgi_temp_path "$tmp/uwsgi";
    mskanban_redis_host 127.0.0.1;
    mskanban_redis_port $redis;
    $redis_pw
$http
    upstream mskanban_fcgi { server "unix:$fcgi"; }
    server {
        listen 127.0.0.1:$port reuseport $listen;
        $tls
        include "$src/conf/nginx/mskanban-api.conf";
        $o{server}
    }
}
CONF
    close $fh;
    my $self = bless { t => $t, prefix => $prefix, port => $port, workers => $workers, valgrind => $valgrind,
                       name => $name, owner => $$, ready => $o{ready}, tls => $o{tls} && $o{tls}{cert},
                       stop_timeout => $o{stop_timeout} // 10 }, $class;
    $self->start;
    return $self;
}

sub start {
    my ($self) = @_;
    my @cmd = ('/usr/sbin/nginx', '-p', $self->{prefix}, '-c', "$self->{prefix}/nginx.conf");
    if ($self->{valgrind}) {
        my $pid = fork // croak "fork: $!";
        if (!$pid) {
            open STDOUT, '>', '/dev/null';
            open STDERR, '>', "$self->{prefix}/logs/stderr.log";
            exec 'valgrind', '--quiet', '--leak-check=full', '--show-leak-kinds=definite',
                '--num-callers=30', "--log-file=$self->{prefix}/valgrind.log", @cmd;
            exit 127;
        }
        $self->{pid} = $pid;
    } else {
        system(@cmd) == 0 or croak "nginx $self->{name} did not start: " . $self->log_text;
    }
    # ready when it accepts and every worker's Redis subscriber is up
    return $self->wait_ready("nginx $self->{name}", $self->{valgrind} ? 60 : 10,
        sub { $self->{ready}->($self) >= $self->{workers} });
}

sub master_pid {
    my ($self) = @_;
    return $self->{pid} if $self->{valgrind};
    return $self->read_pid('nginx.pid');
}

sub reload {
    my ($self) = @_;
    kill 'HUP', $self->master_pid;
}

# Stops nginx; under valgrind, checks its report first.
sub stop {
    my ($self) = @_;
    return if $$ != $self->{owner};    # not from a forked child
    my $pid = $self->master_pid or return;
    return if $self->{stopped}++;
    kill 'QUIT', $pid;
    my $deadline = time + ($self->{valgrind} ? 60 : $self->{stop_timeout});
    while (time < $deadline) {
        if ($self->{valgrind}) {
            last if waitpid($pid, WNOHANG) == $pid;
        } else {
            last unless kill 0, $pid;
        }
        sleep 0.05;
    }
    kill 'KILL', $pid if kill 0, $pid;
    $self->check_valgrind if $self->{valgrind};
}

sub check_valgrind {
    my ($self) = @_;
    open my $fh, '<', "$self->{prefix}/valgrind.log" or return fail("no valgrind log for nginx $self->{name}");
    my $report = do { local $/; <$fh> };
    # one record per blank-line separated block; only the module's count
    my @ours = grep { /mskanban/ } split /\n(?===\d+==\s*\n)/, $report;
    ok(!@ours, "valgrind: no memory errors or leaks in the module (nginx $self->{name})")
        or diag(join "\n", @ours);
}


1;
