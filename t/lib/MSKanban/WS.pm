package MSKanban::WS;
# Helpers for the WebSocket relay tests (t/5*ws*.t): private nginx instances that load
# ngx_http_mskanban_module and include conf/nginx/mskanban-ws.conf (or a location with
# other settings), sharing the test stack's Redis and FastCGI workers; tickets from the
# API; and a raw RFC 6455 client on a blocking socket, which can also send what no
# browser would (unmasked frames, bad opcodes, broken UTF-8). With MSKANBAN_VALGRIND=1
# each nginx runs as one process under valgrind and is checked when it stops.
#
#   my $ng = MSKanban::WS::Nginx->new($t, name => 'relay');
#   my $ws = $ng->connect("/api/ws/card:$id", ticket => MSKanban::WS::ticket($alice, "card:$id"));
#   $ws->send_binary("hi");  my $f = $other->read_frame(5);  # {opcode, payload, fin}
use strict;
use warnings;
use Carp qw(croak);
use MSKanban::Live;

# MSKANBAN_WS_MODULE overrides the stack's module (a build elsewhere).
sub module_so {
    my ($t) = @_;
    return $ENV{MSKANBAN_WS_MODULE} // $t->env('MSKANBAN_MODULE');
}

sub module_has_ws {
    my ($t) = @_;
    my $so = module_so($t) // return 0;
    return 0 unless -f $so;
    open my $fh, '<:raw', $so or return 0;
    local $/;
    my $bin = <$fh>;
    return index($bin, 'mskanban_ws_redeem_uri') >= 0;
}

# A one-shot ticket for $room, as $user.
sub ticket {
    my ($user, $room) = @_;
    my $r = $user->post('/auth/ws-ticket', { room => $room });
    croak "ws-ticket for $room: $r->{status} $r->{body}" unless $r->{status} == 201 || $r->{status} == 200;
    return $r->{json}{ticket};
}

# workspace, board, column and card owned by $user: (wsid, board id, card id)
sub card {
    my ($t, $user) = @_;
    my ($ws, $board) = MSKanban::Live::board($t, $user);
    my $col = $user->post("/boards/$board/columns", { encName => MSKanban::Test::envelope() });
    croak "column: $col->{status} $col->{body}" unless $col->{status} == 201;
    my $card = $user->post("/columns/$col->{json}{column}{id}/cards", { encTitle => MSKanban::Test::envelope() });
    croak "card: $card->{status} $card->{body}" unless $card->{status} == 201;
    return ($ws, $board, $card->{json}{card}{id});
}

package MSKanban::WS::Nginx;
use strict;
use warnings;
use Carp qw(croak);
use File::Path qw(make_path);
use POSIX qw(WNOHANG);
use Time::HiRes qw(time sleep);
use Test::More;

my $SEQ = 0;

# new($t, name => 'a', workers => 2, location => {directive => value} (replaces the
#     snippet with a location of these settings), http => {...}, listen => 'sndbuf=8k')
sub new {
    my ($class, $t, %o) = @_;
    my $name = $o{name} // 'ws';
    my $prefix = sprintf '%s/ws-nginx-%s-%d-%d', $t->{state}, $name, $$, ++$SEQ;
    make_path("$prefix/logs", map {"$prefix/tmp/$_"} qw(body fastcgi proxy scgi uwsgi));
    chmod 0777, map {"$prefix/tmp/$_"} qw(body fastcgi proxy scgi uwsgi);
    my $valgrind = $ENV{MSKANBAN_VALGRIND} ? 1 : 0;
    my $workers = $valgrind ? 1 : ($o{workers} // 2);
    my $port = MSKanban::Live::free_port();
    my $src = $t->src;
    my $ws;
    if ($o{location}) {
        my %loc = %{ $o{location} };
        $ws = "location ~ ^/api/ws(/[^/]+)?\$ {\n            mskanban_ws;\n"
            . join('', map {"            $_ $loc{$_};\n"} sort keys %loc)
            . "        }\n        location = /api/ws-status { mskanban_ws_status; }\n";
    } else {
        $ws = "include $src/conf/nginx/mskanban-ws.conf;\n";
    }
    my $http = join '', map {"    $_ $o{http}{$_};\n"} sort keys %{ $o{http} // {} };
    my $listen = $o{listen} // '';
    my $user = $> == 0 ? 'user nobody nogroup;' : '';
    my $so = MSKanban::WS::module_so($t);
    my $fcgi = $t->env('MSKANBAN_FCGI_SOCKET');
    my $redis = $t->env('MSKANBAN_REDIS_PORT');
    my $process = $valgrind ? "master_process off;\ndaemon off;" : "daemon on;";
    my $loglevel = $ENV{MSKANBAN_WS_DEBUG} ? "debug" : "info";
    open my $fh, '>', "$prefix/nginx.conf" or croak $!;
    print $fh <<CONF;
load_module $so;
$user
worker_processes $workers;
$process
pid $prefix/nginx.pid;
error_log $prefix/logs/error.log $loglevel;
events { worker_connections 4096; }
http {
    log_format ws '\$pid \$status \$request';
    access_log $prefix/logs/access.log ws;
    client_body_temp_path $prefix/tmp/body;
    fastcgi_temp_path $prefix/tmp/fastcgi;
    proxy_temp_path $prefix/tmp/proxy;
    scgi_temp_path $prefix/tmp/scgi;
    uwsgi_temp_path $prefix/tmp/uwsgi;
    mskanban_redis_host 127.0.0.1;
    mskanban_redis_port $redis;
$http
    upstream mskanban_fcgi { server unix:$fcgi; }
    server {
        listen 127.0.0.1:$port reuseport $listen;
        include $src/conf/nginx/mskanban-api.conf;
        $ws
    }
}
CONF
    close $fh;
    my $self = bless { t => $t, prefix => $prefix, port => $port, workers => $workers,
                       valgrind => $valgrind, name => $name, owner => $$ }, $class;
    $self->start;
    return $self;
}

sub port { $_[0]{port} }
sub url { 'http://127.0.0.1:' . $_[0]{port} }
sub ws_url { 'ws://127.0.0.1:' . $_[0]{port} }
sub prefix { $_[0]{prefix} }

sub log_text {
    my ($self, $file) = @_;
    open my $fh, '<', "$self->{prefix}/logs/" . ($file // 'error.log') or return '';
    local $/;
    return <$fh>;
}

sub ready_count {
    my ($self) = @_;
    my @r = $self->log_text =~ /redis room subscriber connection .* ready/g;
    return scalar @r;
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
    my $deadline = time + ($self->{valgrind} ? 60 : 10);
    while (time < $deadline) {
        my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $self->{port});
        return $self if $s && $self->ready_count >= $self->{workers};
        sleep 0.05;
    }
    croak "nginx $self->{name} not ready: " . $self->log_text;
}

sub master_pid {
    my ($self) = @_;
    return $self->{pid} if $self->{valgrind};
    open my $fh, '<', "$self->{prefix}/nginx.pid" or return;
    my $pid = <$fh>;
    chomp $pid if defined $pid;
    return $pid;
}

# The relay's counters (mskanban_ws_status).
sub status {
    my ($self) = @_;
    my $res = Mojo::UserAgent->new->get($self->url . '/api/ws-status')->result;
    return $res->json;
}

sub stop {
    my ($self) = @_;
    return if $$ != $self->{owner};
    my $pid = $self->master_pid or return;
    return if $self->{stopped}++;
    kill 'QUIT', $pid;
    my $deadline = time + ($self->{valgrind} ? 60 : 15);
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
    my @ours = grep { /mskanban/ } split /\n(?===\d+==\s*\n)/, $report;
    ok(!@ours, "valgrind: no memory errors or leaks in the module (nginx $self->{name})")
        or diag(join "\n", @ours);
}

sub DESTROY { $_[0]->stop }

# connect($path, ticket => ..., headers => {...}) -> MSKanban::WS::Raw
sub connect {
    my ($self, $path, %o) = @_;
    $path .= ($path =~ /\?/ ? '&' : '?') . "t=$o{ticket}" if defined $o{ticket};
    return MSKanban::WS::Raw->new($self->{port}, $path, %o);
}

package MSKanban::WS::Raw;
# A WebSocket client on a blocking socket, frame by frame.
use strict;
use warnings;
use Carp qw(croak);
use IO::Socket::INET;
use IO::Select;
use MIME::Base64 qw(encode_base64);
use Digest::SHA qw(sha1_base64);
use Time::HiRes qw(time);

sub new {
    my ($class, $port, $path, %o) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Timeout => 5)
        or croak "connect: $!";
    binmode $s;
    if ($o{rcvbuf}) {
        setsockopt($s, Socket::SOL_SOCKET(), Socket::SO_RCVBUF(), $o{rcvbuf}) or croak "SO_RCVBUF: $!";
    }
    my $key = encode_base64(join('', map { chr int rand 256 } 1 .. 16), '');
    my %h = (
        Host => "127.0.0.1:$port",
        Upgrade => 'websocket',
        Connection => 'Upgrade',
        'Sec-WebSocket-Key' => $key,
        'Sec-WebSocket-Version' => 13,
        %{ $o{headers} // {} },
    );
    my $method = $o{method} // 'GET';
    my $req = "$method $path HTTP/1.1\r\n"
        . join('', map {"$_: $h{$_}\r\n"} grep { defined $h{$_} } sort keys %h) . "\r\n";
    my $self = bless { s => $s, buf => '', key => $key, frames => [] }, $class;
    syswrite($s, $req . ($o{after_handshake} // '')) or croak "write: $!";
    $self->_read_response;
    return $self;
}

sub _fill {
    my ($self, $timeout) = @_;
    my $sel = IO::Select->new($self->{s});
    return 0 unless $sel->can_read($timeout);
    my $n = sysread($self->{s}, my $chunk, 65536);
    if (!$n) { $self->{eof} = 1; return 0 }
    $self->{buf} .= $chunk;
    return 1;
}

sub _read_response {
    my ($self) = @_;
    my $deadline = time + 10;
    while ($self->{buf} !~ /\r\n\r\n/) {
        croak 'no response' if time > $deadline || $self->{eof};
        $self->_fill(1);
    }
    my $end = index($self->{buf}, "\r\n\r\n");
    my $head = substr($self->{buf}, 0, $end + 4, '');
    my ($line, @lines) = split /\r\n/, $head;
    ($self->{status}) = $line =~ m{^HTTP/1\.1 (\d+)};
    $self->{status_line} = $line;
    for (@lines) { my ($k, $v) = /^([^:]+):\s*(.*)$/ or next; $self->{headers}{ lc $k } = $v }
    if ($self->{status} != 101) {
        my $len = $self->{headers}{'content-length'} // 0;
        while (length $self->{buf} < $len && !$self->{eof}) { $self->_fill(1) or last }
        $self->{body} = substr($self->{buf}, 0, $len, '');
    }
}

sub status { $_[0]{status} }
sub header { $_[0]{headers}{ lc $_[1] } }
sub body { $_[0]{body} }
sub json { my $b = $_[0]{body}; eval { Mojo::JSON::decode_json($b) } }

sub accept_ok {
    my ($self) = @_;
    my $want = sha1_base64($self->{key} . '258EAFA5-E914-47DA-95CA-C5AB0DC85B11') . '=';
    return ($self->header('Sec-WebSocket-Accept') // '') eq $want;
}

# frame(opcode, payload, fin => 1, mask => 1, rsv => 0) -> bytes
sub frame {
    my ($self, $opcode, $payload, %o) = @_;
    $payload //= '';
    my $fin = $o{fin} // 1;
    my $mask = $o{mask} // 1;
    my $b0 = ($fin ? 0x80 : 0) | (($o{rsv} // 0) << 4) | $opcode;
    my $len = length $payload;
    my $m = $mask ? 0x80 : 0;
    my $head = chr($b0);
    if ($len < 126) { $head .= chr($m | $len) }
    elsif ($len < 65536) { $head .= chr($m | 126) . pack('n', $len) }
    else { $head .= chr($m | 127) . pack('Q>', $len) }
    return $head . $payload unless $mask;
    my $key = join '', map { chr int rand 256 } 1 .. 4;
    my $masked = $payload ^ substr($key x (int($len / 4) + 1), 0, $len);
    return $head . $key . $masked;
}

sub send_raw {
    my ($self, $bytes) = @_;
    local $SIG{PIPE} = 'IGNORE';
    my $off = 0;
    while ($off < length $bytes) {
        my $n = syswrite($self->{s}, $bytes, length($bytes) - $off, $off);
        return 0 unless defined $n && $n > 0;
        $off += $n;
    }
    return 1;
}

sub send_frame { my ($self, @a) = @_; $self->send_raw($self->frame(@a)) }
sub send_binary { $_[0]->send_frame(2, $_[1]) }
sub send_text { $_[0]->send_frame(1, $_[1]) }
sub send_close {
    my ($self, $code, $reason) = @_;
    $self->send_frame(8, defined $code ? pack('n', $code) . ($reason // '') : '');
}

# The next frame from the server: {fin, opcode, payload}, undef on timeout or EOF.
sub read_frame {
    my ($self, $timeout) = @_;
    my $deadline = time + ($timeout // 5);
    while (1) {
        my $f = $self->_parse;
        return $f if $f;
        my $left = $deadline - time;
        return undef if $left <= 0 || $self->{eof};
        $self->_fill($left);
    }
}

sub _parse {
    my ($self) = @_;
    my $b = \$self->{buf};
    return undef if length $$b < 2;
    my ($b0, $b1) = unpack 'CC', $$b;
    my $len = $b1 & 0x7f;
    my $off = 2;
    if ($len == 126) { return undef if length $$b < 4; $len = unpack 'n', substr($$b, 2, 2); $off = 4 }
    elsif ($len == 127) { return undef if length $$b < 10; $len = unpack 'Q>', substr($$b, 2, 8); $off = 10 }
    return undef if $b1 & 0x80;    # a server never masks: the test reads it as garbage
    return undef if length $$b < $off + $len;
    my $payload = substr($$b, $off, $len);
    substr($$b, 0, $off + $len, '');
    my $f = { fin => $b0 >> 7, rsv => ($b0 >> 4) & 7, opcode => $b0 & 0x0f, payload => $payload };
    $f->{code} = unpack('n', $payload) if $f->{opcode} == 8 && length $payload >= 2;
    return $f;
}

# The next data frame (answering pings unless told not to); undef when none came.
sub read_message {
    my ($self, $timeout, %o) = @_;
    my $deadline = time + ($timeout // 5);
    while (1) {
        my $f = $self->read_frame($deadline - time) // return undef;
        if ($f->{opcode} == 9 && !$o{no_pong}) { $self->send_frame(10, $f->{payload}); next }
        next if $f->{opcode} == 10;
        return $f;
    }
}

# Reads until the server's close frame: its code (or -1 without one), undef on timeout.
sub wait_close {
    my ($self, $timeout) = @_;
    my $deadline = time + ($timeout // 5);
    while (1) {
        my $f = $self->read_frame($deadline - time);
        return $self->{eof} ? -1 : undef unless $f;
        return $f->{code} // 1005 if $f->{opcode} == 8;
    }
}

# true when the server closed the TCP connection within $timeout
sub wait_eof {
    my ($self, $timeout) = @_;
    my $deadline = time + ($timeout // 5);
    while (!$self->{eof}) {
        my $left = $deadline - time;
        return 0 if $left <= 0;
        $self->_fill($left);
        $self->{buf} = '';
    }
    return 1;
}

sub close { close $_[0]{s} }

1;
