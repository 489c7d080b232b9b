package MSKanban::Live;
# Helpers for the live-stream tests (t/4*live*.t): private nginx instances that load
# ngx_http_mskanban_module and share the test stack's Redis and FastCGI workers, an SSE
# reader on Mojo::IOLoop, and a tiny Redis client for publishing ticks the way the core
# does. With MSKANBAN_VALGRIND=1 each nginx runs as one process under valgrind and is
# checked for memory errors and leaks in the module when it stops.
#
#   my $ng = MSKanban::Live::Nginx->new($t, name => 'a', location => {...});
#   my $s = $ng->stream("/api/boards/$id/live", user => $alice);
#   $s->wait_events(1, 5);  is($s->events->[0]{event}, 'BOARD_UPDATED');
use strict;
use warnings;
use Carp qw(croak);
use IO::Socket::INET;
use File::Path qw(make_path);
use Time::HiRes qw(time sleep);
use Mojo::IOLoop;
use Mojo::UserAgent;
use Mojo::JSON qw(decode_json);
use MSKanban::Test qw(envelope);
use MSKanban::Nginx;

sub free_port { MSKanban::Nginx::free_port() }

# Runs the IO loop until $cond returns true or $timeout seconds pass; returns $cond's value.
sub wait_until {
    my ($cond, $timeout) = @_;
    my $deadline = time + ($timeout // 5);
    while (1) {
        my $v = $cond->();
        return $v if $v;
        return $v if time > $deadline;
        my $id = Mojo::IOLoop->timer(0.02 => sub { });
        Mojo::IOLoop->one_tick;
        Mojo::IOLoop->remove($id);
    }
}

# A workspace and a board owned by $user, made through the REST API. Skips the test
# file when the stack does not serve boards yet.
sub board {
    my ($t, $user) = @_;
    my $ws = $user->post('/workspaces', { encName => envelope(), encWorkspaceKey => envelope(32) });
    if ($ws->{status} == 404 || $ws->{status} == 405) {
        Test::More::plan(skip_all => 'the stack does not serve /workspaces yet');
    }
    croak "workspace: $ws->{status} $ws->{body}" unless $ws->{status} == 201;
    my $wsid = $ws->{json}{workspace}{id};
    my $b = $user->post("/workspaces/$wsid/boards", { encName => envelope(), encBoardKey => envelope(32) });
    croak "board: $b->{status} $b->{body}" unless $b->{status} == 201;
    return ($wsid, $b->{json}{board}{id});
}

# A mutation that ticks: renaming the board.
sub touch_board {
    my ($user, $board) = @_;
    my $r = $user->patch("/boards/$board", { encName => envelope() });
    croak "rename board: $r->{status} $r->{body}" unless $r->{status} == 200;
    return $r;
}

package MSKanban::Live::Nginx;
# A private nginx serving the live stream at /api/boards/<id>/live (MSKanban::Nginx).
use strict;
use warnings;
use parent -norequire, 'MSKanban::Nginx';

# new($t, name => 'a', workers => 2, location => {directive => value}, http => {...},
#     listen => 'sndbuf=4k')
sub new {
    my ($class, $t, %o) = @_;
    my %loc = (mskanban_heartbeat_interval => '1s', mskanban_retry => '500ms', %{ $o{location} // {} });
    my $loc = join '', map {"            $_ $loc{$_};\n"} sort keys %loc;
    return $class->SUPER::new($t, %o, kind => 'live', so => $t->env('MSKANBAN_MODULE'),
        server => "location ~ ^/api/boards/[^/]+/live\$ {\n            mskanban_live;\n$loc        }",
        ready => sub { scalar(() = $_[0]->log_text =~ /redis subscriber connection .* ready/g) });
}

# An SSE stream: stream($path, user => $client, last_event_id => $id, query => '...')
sub stream {
    my ($self, $path, %o) = @_;
    return MSKanban::Live::Stream->new($self->url . $path, ($self->{tls} ? (ca => $self->{tls}) : ()), %o);
}

package MSKanban::Live::Stream;
use strict;
use warnings;
use Mojo::UserAgent;
use Mojo::URL;
use Mojo::JSON qw(decode_json);

sub new {
    my ($class, $url, %o) = @_;
    my $self = bless { url => $url, events => [], comments => 0, raw => '', buf => '', done => 0 }, $class;
    my $ua = Mojo::UserAgent->new(inactivity_timeout => 0, request_timeout => 0, connect_timeout => 10);
    $ua->ca($o{ca}) if $o{ca};    # https: the CA file that signed the server's certificate
    my %h = (Accept => 'text/event-stream');
    if (my $u = $o{user}) {
        $ua->socket_options({ LocalAddr => $u->ip });
        $h{Cookie} = 'mskanban_session=' . $u->cookie if defined $u->cookie;
    }
    $h{Cookie} = $o{cookie} if defined $o{cookie};
    $h{'Last-Event-ID'} = $o{last_event_id} if defined $o{last_event_id};
    my $tx = $ua->build_tx(GET => $url => \%h);
    $tx->res->content->unsubscribe('read')->on(read => sub {
        my ($content, $bytes) = @_;
        $self->{status} //= $tx->res->code;
        $self->{type} //= $tx->res->headers->content_type // '';
        $self->{raw} .= $bytes;
        $self->_check($tx) if $self->{type} =~ m{^text/event-stream};
        $self->_feed($bytes);
    });
    $ua->start($tx => sub {
        my ($ua, $tx) = @_;
        $self->{status} //= $tx->res->code;
        $self->{type} //= $tx->res->headers->content_type // '';
        $self->{error} = $tx->error;
        $self->{done} = 1;
        $self->_check($tx);
    });
    $self->{ua} = $ua;
    $self->{tx} = $tx;
    return $self;
}

# The answer checked against the OpenAPI document (MSKanban::Test::check_response),
# once: an event stream as soon as it starts, anything else with its whole body. A
# connection that ended without any status is left to the test, which reads ->status.
sub _check {
    my ($self, $tx) = @_;
    return if $self->{checked} || !$tx->res->code;
    $self->{checked} = 1;
    my $h = $tx->res->headers;
    MSKanban::Test->check_response({ method => 'GET', path => Mojo::URL->new($self->{url})->path->to_string,
        status => $tx->res->code, headers => { map { $_ => $h->header($_) } @{ $h->names } },
        body => $self->{type} =~ m{^text/event-stream} ? undef : $self->{raw} });
}

sub _feed {
    my ($self, $bytes) = @_;
    $self->{buf} .= $bytes;
    while ($self->{buf} =~ s/^(.*?)\n\n//s) {
        my %ev;
        for my $line (split /\n/, $1) {
            if ($line =~ /^:/) { $self->{comments}++; next }
            my ($k, $v) = $line =~ /^([^:]+): ?(.*)$/ or next;
            if ($k eq 'data') { $ev{data} = defined $ev{data} ? "$ev{data}\n$v" : $v }
            else { $ev{$k} = $v }
        }
        if (defined $ev{retry}) { $self->{retry} = $ev{retry}; delete $ev{retry} }
        push @{ $self->{events} }, \%ev if %ev;
    }
}

sub events { $_[0]{events} }
sub ids { [map { $_->{id} } @{ $_[0]{events} }] }
sub comments { $_[0]{comments} }
sub retry { $_[0]{retry} }
sub done { $_[0]{done} }
sub raw { $_[0]{raw} }
sub type { $_[0]{type} }
sub json { my $s = shift; eval { decode_json($s->{raw}) } }

# the HTTP status, once known
sub status {
    my ($self, $timeout) = @_;
    MSKanban::Live::wait_until(sub { defined $self->{status} }, $timeout // 10);
    return $self->{status};
}

sub wait_events {
    my ($self, $n, $timeout) = @_;
    return MSKanban::Live::wait_until(sub { @{ $self->{events} } >= $n }, $timeout // 10);
}

sub wait_comments {
    my ($self, $n, $timeout) = @_;
    return MSKanban::Live::wait_until(sub { $self->{comments} >= $n }, $timeout // 10);
}

sub wait_done {
    my ($self, $timeout) = @_;
    return MSKanban::Live::wait_until(sub { $self->{done} }, $timeout // 10);
}

sub close {
    my ($self) = @_;
    if (!$self->{done} && $self->{tx}) {
        my $id = $self->{tx}->connection;
        Mojo::IOLoop->stream($id)->close if $id && Mojo::IOLoop->stream($id);
    }
    MSKanban::Live::wait_until(sub { $self->{done} }, 5);
    delete $self->{ua};
}

package MSKanban::Live::Redis;
# Just enough RESP to publish ticks and read streams.
use strict;
use warnings;
use Carp qw(croak);
use IO::Socket::INET;

# XADD to the board stream and PUBLISH in one script, so that ids are published in
# order, the way the core should do it.
my $TICK = <<'LUA';
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', 1000, '*', 'verb', ARGV[1], 'data', ARGV[2])
redis.call('PUBLISH', KEYS[2], id .. ' ' .. ARGV[1] .. ' ' .. ARGV[2])
return id
LUA

sub new {
    my ($class, $port) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port) or croak "redis: $!";
    binmode $s;
    my $self = bless { s => $s }, $class;
    $self->cmd('AUTH', $ENV{REDISCLI_AUTH}) if length($ENV{REDISCLI_AUTH} // '');    # set by MSKanban::Test
    return $self;
}

sub cmd {
    my ($self, @a) = @_;
    my $out = '*' . @a . "\r\n";
    $out .= '$' . length($_) . "\r\n$_\r\n" for @a;
    print { $self->{s} } $out;
    return $self->_read;
}

sub _read {
    my ($self) = @_;
    my $s = $self->{s};
    my $line = <$s>;
    croak 'redis: connection closed' unless defined $line;
    $line =~ s/\r\n\z//;
    my $type = substr $line, 0, 1, '';
    return $line if $type eq '+';
    croak "redis: $line" if $type eq '-';
    return 0 + $line if $type eq ':';
    if ($type eq '$') {
        return undef if $line < 0;
        my $buf = '';
        while (length $buf < $line + 2) { read($s, $buf, $line + 2 - length $buf, length $buf) or croak 'redis: short read' }
        return substr $buf, 0, $line;
    }
    if ($type eq '*') {
        return undef if $line < 0;
        return [map { $self->_read } 1 .. $line];
    }
    croak "redis: unexpected reply $type$line";
}

sub tick {
    my ($self, $board, $verb, $data) = @_;
    return $self->cmd('EVAL', $TICK, 2, "mskanban:board:$board:ticks", "mskanban:board:$board", $verb, $data);
}

# ids in the board stream after $after (exclusive)
sub ids_after {
    my ($self, $board, $after) = @_;
    my $r = $self->cmd('XRANGE', "mskanban:board:$board:ticks", "($after", '+');
    return [map { $_->[0] } @$r];
}

1;
