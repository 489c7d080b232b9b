package MSKanban::Receiver;
# A webhook receiver for the tests: a forked HTTP/1.1 server on one loopback address
# that logs every request (arrival time, method, path, headers, raw body) and answers by
# a plan: the first `fail` requests get `fail_status` (default 500), then `status`
# (default 200); `redirect` answers 302 with that Location; `delay` sleeps before
# answering; `concurrent` serves each connection in its own process (and ignores
# `fail`). It only ever listens on loopback (127.0.0.0/8 or ::1): tests never send
# traffic anywhere else.
#
#   my $r = MSKanban::Receiver->new(host => '127.0.0.2', fail => 2);
#   $r->url('/hook');  $r->requests;  $r->count;  $r->stop;
use strict;
use warnings;
use Carp qw(croak);
use IO::Socket::IP;
use File::Temp qw(tempfile);
use Time::HiRes qw(time sleep);
use Mojo::JSON qw(encode_json decode_json);

sub new {
    my ($class, %opt) = @_;
    my $host = $opt{host} // '127.0.0.2';
    croak "receiver: $host is not a loopback address" unless $host =~ /^127\.\d+\.\d+\.\d+$/ || $host eq '::1';
    my $sock = IO::Socket::IP->new(LocalHost => $host, LocalPort => $opt{port} // 0, Listen => 64, ReuseAddr => 1)
        or croak "receiver: cannot listen on $host: $@";
    my (undef, $log) = tempfile('mskanban-receiver-XXXXXX', TMPDIR => 1, UNLINK => 1);
    my $self = bless { %opt, host => $host, port => $sock->sockport, log => $log }, $class;
    my $pid = fork // croak "fork: $!";
    if (!$pid) {
        # The child never returns into the test (no END blocks, no DESTROY of the
        # test's database handle, whose connection it shares).
        eval { $self->_serve($sock) };
        require POSIX;
        POSIX::_exit(0);
    }
    close $sock;
    $self->{pid} = $pid;
    return $self;
}

sub port { $_[0]{port} }
sub url {
    my ($self, $path) = @_;
    my $h = $self->{host} =~ /:/ ? "[$self->{host}]" : $self->{host};
    return "http://$h:$self->{port}" . ($path // '/hook');
}

sub _serve {
    my ($self, $sock) = @_;
    my $n = 0;
    local $SIG{CHLD} = 'IGNORE' if $self->{concurrent};
    while (1) {
        my $c = $sock->accept or next;
        if ($self->{concurrent}) {
            my $pid = fork;
            if (!defined $pid || $pid) { close $c; next }
            close $sock;
            eval { $self->_answer($c, 0) };
            require POSIX;
            POSIX::_exit(0);
        }
        $self->_answer($c, $n++);
    }
}

sub _answer {
    my ($self, $c, $n) = @_;
    {
        my $buf = '';
        while ($buf !~ /\r\n\r\n/) { my $got = sysread($c, $buf, 65536, length $buf); last unless $got }
        my ($head, $body) = split /\r\n\r\n/, $buf, 2;
        last unless defined $head;
        my ($line, @lines) = split /\r\n/, $head;
        my ($method, $path) = split / /, $line // '';
        my %h = map { my ($k, $v) = split /:\s*/, $_, 2; (lc $k => $v) } @lines;
        $body //= '';
        my $len = $h{'content-length'} // 0;
        while (length $body < $len) { my $got = sysread($c, $body, $len - length $body, length $body); last unless $got }
        my $arrived = time;
        $n++;
        open my $fh, '>>', $self->{log} or die;
        # One write(2) on an O_APPEND file: lines of concurrent children never interleave.
        syswrite $fh, encode_json({ t => $arrived, method => $method, path => $path, headers => \%h, body => $body }) . "\n";
        close $fh;
        sleep $self->{delay} if $self->{delay};
        my ($status, $extra) = (200, '');
        if ($self->{redirect}) {
            ($status, $extra) = (302, "Location: $self->{redirect}\r\n");
        } elsif ($n <= ($self->{fail} // 0)) {
            $status = $self->{fail_status} // 500;
        } elsif ($self->{status}) {
            $status = $self->{status};
        }
        my $answer = "answer $n";
        print {$c} "HTTP/1.1 $status X\r\n${extra}Content-Type: text/plain\r\nContent-Length: " . length($answer)
            . "\r\nConnection: close\r\n\r\n$answer";
        close $c;
    }
}

# Every request so far: [{t, method, path, headers => {lower-case name => value}, body}].
sub requests {
    my $self = shift;
    open my $fh, '<', $self->{log} or return [];
    # Complete lines only: a concurrent receiver may be writing the last one.
    return [ map { decode_json($_) } grep { /\S/ && /\n\z/ } <$fh> ];
}
sub count { scalar @{ $_[0]->requests } }

# Waits until at least $n requests arrived (or $timeout seconds passed); returns the count.
sub wait_for {
    my ($self, $n, $timeout) = @_;
    my $deadline = time + ($timeout // 20);
    while (time < $deadline) {
        my $c = $self->count;
        return $c if $c >= $n;
        sleep 0.05;
    }
    return $self->count;
}

sub stop {
    my $self = shift;
    return unless $self->{pid};
    kill 'KILL', $self->{pid};
    waitpid $self->{pid}, 0;
    delete $self->{pid};
}

sub DESTROY { $_[0]->stop }

1;
