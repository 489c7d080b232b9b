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
use MSKanban::Nginx;

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
# A private nginx serving the relay (MSKanban::Nginx).
use strict;
use warnings;
use parent -norequire, 'MSKanban::Nginx';
use Mojo::UserAgent;

# new($t, name => 'a', workers => 2, location => {directive => value} (replaces the
#     snippet with a location of these settings), http => {...}, listen => 'sndbuf=8k',
#     extra => 'location ... { ... }' (added to the server))
sub new {
    my ($class, $t, %o) = @_;
    my $src = $t->src;
    my $ws;
    if ($o{location}) {
        my %loc = %{ $o{location} };
        $ws = "location ~ ^/api/ws(/[^/]+)?\$ {\n            mskanban_ws;\n"
            . join('', map {"            $_ $loc{$_};\n"} sort keys %loc)
            . "        }\n        location = /api/ws-status { mskanban_ws_status; }\n";
    } else {
        $ws = "include \"$src/conf/nginx/mskanban-ws.conf\";\n";
    }
    $ws .= $o{extra} // '';   # more server-level configuration
    return $class->SUPER::new($t, %o, kind => 'ws', so => MSKanban::WS::module_so($t), server => $ws,
        log => '$pid $status $request', error_level => $ENV{MSKANBAN_WS_DEBUG} ? 'debug' : 'info',
        worker_connections => 4096, stop_timeout => 15, ready => sub { $_[0]->ready_count });
}

sub ws_url { ($_[0]{tls} ? 'wss' : 'ws') . '://127.0.0.1:' . $_[0]{port} }

sub ready_count {
    my ($self) = @_;
    # the worker's one subscriber connection carries rooms and boards
    my @r = $self->log_text =~ /redis subscriber connection .* ready/g;
    return scalar @r;
}

# The relay's counters (mskanban_ws_status), through the checking client.
sub status {
    my ($self) = @_;
    # from 127.0.0.1: the shipped snippet allows loopback's first address only
    return $self->{t}->client(base => $self->url . '/api', ip => '127.0.0.1')->get('/ws-status')->{json};
}

# connect($path, ticket => ..., headers => {...}) -> MSKanban::WS::Raw
sub connect {
    my ($self, $path, %o) = @_;
    $path .= ($path =~ /\?/ ? '&' : '?') . "t=$o{ticket}" if defined $o{ticket};
    return MSKanban::WS::Raw->new($self->{port}, $path, ($self->{tls} ? (tls => $self->{tls}) : ()), %o);
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
    if ($o{tls}) {    # wss: tls => the CA file that signed the server's certificate
        require IO::Socket::SSL;
        IO::Socket::SSL->start_SSL($s, SSL_ca_file => $o{tls}, SSL_verifycn_name => '127.0.0.1',
            SSL_verifycn_scheme => 'http', SSL_verify_mode => IO::Socket::SSL::SSL_VERIFY_PEER())
            or croak "TLS: " . IO::Socket::SSL::errstr();
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
    # the handshake's answer checked against the OpenAPI document; undocumented => 1 for
    # a request outside it (a POST), which must still get the JSON error shape
    MSKanban::Test->check_response({ method => $method, path => $path, status => $self->{status},
        headers => $self->{headers}, body => $self->{body} }, undocumented => $o{undocumented});
    return $self;
}

sub _fill {
    my ($self, $timeout) = @_;
    my $sel = IO::Select->new($self->{s});
    # TLS may hold decrypted bytes that select() does not see
    my $pending = $self->{s}->can('pending') && $self->{s}->pending;
    return 0 unless $pending || $sel->can_read($timeout);
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
