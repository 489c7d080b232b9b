package MSKanban::Proxy;
# A checking reverse proxy for programs the tests run instead of the test client (the
# mskanban CLI): it forwards every request to the stack and checks every answer against
# docs/api/openapi.yaml exactly as the test client does (MSKanban::OpenAPI), so those
# responses cannot escape the check either. It runs in a child process, connects
# upstream from the caller's own source address (per-IP rate limits stay the caller's),
# and writes mismatches to a file that finish() turns into failed tests.
#
#   my $proxy = MSKanban::Proxy->new($t);
#   local $ENV{MSKANBAN_SERVER} = $proxy->url;   # run the program
#   $proxy->finish;                               # a failed test per mismatch
use strict;
use warnings;
use Carp qw(croak);
use IO::Socket::INET;
use POSIX ();
use Time::HiRes qw(sleep time);
use Test::More;
use Mojolicious;
use Mojo::Server::Daemon;
use Mojo::UserAgent;
use Mojo::URL;
use MSKanban::OpenAPI;
use MSKanban::Nginx;

my $SEQ = 0;

sub new {
    my ($class, $t) = @_;
    my $port = MSKanban::Nginx::free_port();
    my $log = sprintf '%s/proxy-%d-%d.errors', $t->{state}, $$, ++$SEQ;
    unlink $log;
    my $upstream = $t->url;
    my $spec = $ENV{MSKANBAN_OPENAPI} // $t->src . '/docs/api/openapi.yaml';
    my $pid = fork // croak "fork: $!";
    if (!$pid) {
        eval { _serve($upstream, $port, $log, $spec) };
        POSIX::_exit(0);
    }
    my $self = bless { pid => $pid, port => $port, log => $log, owner => $$ }, $class;
    my $deadline = time + 10;
    until (IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port)) {
        croak 'the checking proxy did not start' if time > $deadline;
        sleep 0.05;
    }
    return $self;
}

sub url { 'http://127.0.0.1:' . $_[0]{port} }

sub _serve {
    my ($upstream, $port, $log, $spec) = @_;
    my $api = MSKanban::OpenAPI->load($spec);
    my $app = Mojolicious->new;
    $app->log->level('fatal');
    $app->max_request_size(64 * 1024 * 1024);
    my %ua;    # one upstream client per source address
    $app->routes->any('/*any' => { any => '' } => sub {
        my $c = shift;
        my $req = $c->req;
        my $ip = $c->tx->remote_address;
        my $ua = $ua{$ip} //= do {
            my $u = Mojo::UserAgent->new(max_redirects => 0, inactivity_timeout => 120, request_timeout => 120);
            $u->socket_options({ LocalAddr => $ip });
            $u;
        };
        my $path = $req->url->path_query;
        my $tx = $ua->build_tx($req->method => Mojo::URL->new($upstream . $path));
        my $h = $req->headers->to_hash(1);
        delete @$h{ grep { /^(host|connection|content-length|transfer-encoding)$/i } keys %$h };
        $tx->req->headers->from_hash($h);
        $tx->req->body($req->body) if length $req->body;
        $c->render_later;
        $ua->start($tx => sub {
            my (undef, $tx) = @_;
            my $res = $tx->res;
            my %single = map { $_ => $res->headers->header($_) } @{ $res->headers->names };
            my @e = $api->check(method => $req->method, path => $path, status => $res->code // 0,
                headers => \%single, body => $res->body, error => $tx->error && $tx->error->{message});
            if (@e && open my $fh, '>>', $log) { print $fh "$_\n" for @e; close $fh }
            my $out = $res->headers->to_hash(1);
            delete @$out{ grep { /^(connection|content-length|transfer-encoding|server|date)$/i } keys %$out };
            $c->res->code($res->code // 502);
            $c->res->headers->from_hash($out);
            $c->res->body($res->body);
            $c->rendered;
        });
    });
    my $daemon = Mojo::Server::Daemon->new(app => $app, listen => ["http://127.0.0.1:$port"], silent => 1);
    $daemon->run;
}

# Stops the proxy and reports what it found: one failed test per mismatch, or one
# passing test saying how the answers were checked.
sub finish {
    my ($self, $name) = @_;
    return if $self->{finished}++ || $$ != $self->{owner};
    kill 'TERM', $self->{pid};
    waitpid $self->{pid}, 0;
    my @e;
    if (open my $fh, '<', $self->{log}) { chomp(@e = <$fh>); close $fh }
    unlink $self->{log};
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    ok(!@e, ($name // 'the program') . ': every response it received matches OpenAPI') or diag(join "\n", @e);
}

sub DESTROY {
    my ($self) = @_;
    return if $self->{finished} || $$ != $self->{owner};
    kill 'TERM', $self->{pid};
    waitpid $self->{pid}, 0;
}

1;
