package MSKanban::Test;
# Test harness for the integration tests: talks to the private stack that
# scripts/run-tests started (its stack.env is named by MSKANBAN_TEST_STATE), and gives
# each test clients with their own cookie jar and loopback source address, users with
# random key material, a database handle, and OpenAPI validation of every response.
#
#   use MSKanban::Test;
#   my $t = MSKanban::Test->new;
#   my $alice = $t->user;                       # registered and logged in
#   my $res = $alice->get('/me');               # { status, json, headers, body }
#   $t->ok_status($res, 200, 'me');             # checks the status
#   (every response is checked against docs/api/openapi.yaml as it arrives: check_response)
use strict;
use warnings;
use Carp qw(croak);
use Test::More;
use Mojo::UserAgent;
use Mojo::JSON qw(encode_json decode_json);
use MIME::Base64 qw(encode_base64url);
use DBI;
use MSKanban::OpenAPI;

our @EXPORT = qw(b64url random_b64 envelope);
use Exporter 'import';

my $SEQ = 0;

sub b64url { my $s = encode_base64url($_[0]); $s =~ s/=+$//; $s }
sub random_bytes { join '', map { chr int rand 256 } 1 .. $_[0] }
sub random_b64 { b64url(random_bytes($_[0])) }
# A well-formed client envelope with random (meaningless) bytes.
sub envelope { my $ct = shift // 48; 'v1.' . random_b64(24) . '.' . random_b64($ct) }

sub new {
    my ($class, %opt) = @_;
    my $state = $ENV{MSKANBAN_TEST_STATE}
        or plan skip_all => 'no test stack: run scripts/run-tests (or set MSKANBAN_TEST_STATE)';
    my %env;
    open my $fh, '<', "$state/stack.env" or croak "cannot read $state/stack.env: $!";
    while (<$fh>) { $env{$1} = $2 if /^(\w+)=(.*)$/ }
    close $fh;
    my $self = bless { env => \%env, state => $state }, $class;
    # Redis requires a password: redis-cli reads it from REDISCLI_AUTH, as do
    # MSKanban::Live::Redis and the test nginx.
    if (my $pwfile = $env{MSKANBAN_REDIS_PASSWORD_FILE}) {
        open my $pw, '<', $pwfile or croak "cannot read $pwfile: $!";
        chomp($ENV{REDISCLI_AUTH} = <$pw>);
    }
    return $self;
}

sub env { $_[0]{env}{ $_[1] } }
sub url { $_[0]{env}{MSKANBAN_URL} }
sub api { $_[0]->url . '/api' }
sub src { $_[0]{env}{MSKANBAN_SRC} }

# A new anonymous client. Each gets its own source address in 127.0.0.0/8 so per-IP rate
# limits of one test do not spill into another. client(base => "http://.../api") talks to
# another server (a test's private nginx) with the same checks.
# client(base => 'https://...', ca => $pem) trusts that certificate (a test's TLS nginx).
sub client {
    my ($self, %opt) = @_;
    return MSKanban::Test::Client->new($self, %opt);
}

sub next_ip {
    my $n = ($$ * 97 + ++$SEQ) % 16_000_000;
    return join '.', 127, ($n >> 16) & 255, ($n >> 8) & 255, 1 + ($n & 127);
}

sub unique_email {
    my ($self, $tag) = @_;
    $tag //= 'user';
    return sprintf '%s-%d-%d-%s@example.org', $tag, $$, ++$SEQ, lc random_b64(4) =~ s/[^a-z0-9]//gir;
}

# A registration body with random key material; authHash is returned for login.
sub registration {
    my ($self, %over) = @_;
    my %body = (
        email => $self->unique_email,
        authHash => random_b64(32),
        kdfSalt => random_b64(16),
        authSalt => random_b64(16),
        publicKey => random_b64(32),
        encPrivateKey => envelope(48),
        encSymmetricKey => envelope(48),
        encRecoveryBlob => envelope(48),
        %over,
    );
    return \%body;
}

# A registered and logged-in user: a client with the session cookie, plus {id, email,
# authHash, registration}.
sub user {
    my ($self, %over) = @_;
    my $reg = $self->registration(%over);
    my $c = $self->client;
    my $r = $c->post('/auth/register', $reg);
    croak "register failed: $r->{status} $r->{body}" unless $r->{status} == 201;
    $c->login($reg->{email}, $reg->{authHash});
    $c->{reg} = $reg;
    $c->{email} = $reg->{email};
    $c->{authHash} = $reg->{authHash};
    return $c;
}

sub dbh {
    my $self = shift;
    return $self->{dbh} //= DBI->connect(
        sprintf('dbi:Pg:host=%s;port=%s;dbname=%s', @{ $self->{env} }{qw(MSKANBAN_PG_HOST MSKANBAN_PG_PORT MSKANBAN_PG_DB)}),
        'mskanban', '', { RaiseError => 1, AutoCommit => 1, PrintError => 0 });
}

sub count_rows {
    my ($self, $sql, @bind) = @_;
    return $self->dbh->selectrow_array("SELECT count(*) FROM ($sql) AS q", undef, @bind);
}

# Rows of a kanban table in the workspaces `user_id` belongs to. Test files run in
# parallel, so "nothing stored" is checked on the tester's own rows, never a global count.
# (A workspace stored without its member row would escape this; `orphan_workspaces`
# counts those, globally, which parallel tests cannot disturb.)
my %OWNED = (
    workspaces => 'SELECT 1 FROM workspaces w JOIN workspace_members m ON m.workspace_id = w.id WHERE m.user_id = $1',
    boards => 'SELECT 1 FROM boards b JOIN workspace_members m ON m.workspace_id = b.workspace_id WHERE m.user_id = $1',
    columns => 'SELECT 1 FROM columns c JOIN boards b ON b.id = c.board_id
        JOIN workspace_members m ON m.workspace_id = b.workspace_id WHERE m.user_id = $1',
    cards => 'SELECT 1 FROM cards k JOIN boards b ON b.id = k.board_id
        JOIN workspace_members m ON m.workspace_id = b.workspace_id WHERE m.user_id = $1',
);
sub owned_rows {
    my ($self, $table, $user_id) = @_;
    croak "no owned_rows query for $table" unless $OWNED{$table};
    return $self->count_rows($OWNED{$table}, $user_id);
}
sub orphan_workspaces {
    my $self = shift;
    return $self->count_rows('SELECT 1 FROM workspaces w WHERE NOT EXISTS
        (SELECT 1 FROM workspace_members m WHERE m.workspace_id = w.id)');
}

# The OpenAPI checker (MSKanban::OpenAPI), loaded once per process: the stack's
# docs/api/openapi.yaml, or the document MSKANBAN_OPENAPI names (to try an edit).
sub openapi {
    my $file = $ENV{MSKANBAN_OPENAPI} // (ref $_[0] ? $_[0]->src . '/docs/api/openapi.yaml' : undef);
    return MSKanban::OpenAPI->load($file);
}

# The single place where every response a test receives is checked against
# docs/api/openapi.yaml: Client::request, Client::start, the live-stream reader and the
# WebSocket handshake all call it, so a test cannot forget. A mismatch is a failed test
# at once; the errors are also kept in $res->{openapi_errors}. With $opt{undocumented}
# the request is expected to be outside the document (an unknown route, a method a
# route does not have) and must still answer with the JSON error shape.
# Callable as a class method (MSKanban::Test->check_response) by helpers without a $t.
sub check_response {
    my ($self, $res, %opt) = @_;
    my %r = (method => $res->{method}, path => $res->{path}, status => $res->{status},
             headers => $res->{headers}, body => $res->{body},
             error => ref $res->{error} ? $res->{error}{message} : $res->{error});
    my @errors = $opt{undocumented} ? $self->openapi->check_error(%r) : $self->openapi->check(%r);
    $res->{openapi_errors} = \@errors;
    if (@errors) {
        # report the failure at the test's line, not inside the helpers or Mojo
        my $up = 0;
        $up++ while defined((caller($up + 1))[1]) && (caller($up))[1] =~ m{/MSKanban/[^/]+\.pm$|/Mojo/};
        local $Test::Builder::Level = $up + 2;
        Test::More::fail("response matches OpenAPI: $res->{method} $res->{path} -> $res->{status}");
        Test::More::diag(join "\n", @errors, 'body: ' . substr($res->{body} // '', 0, 300));
    }
    return !@errors;
}

sub openapi_errors { @{ $_[1]{openapi_errors} // [] } }

# Checks the status (the response was already checked against OpenAPI when it arrived).
sub ok_status {
    my ($self, $res, $status, $name) = @_;
    my $ok = is($res->{status}, $status, "$name: status $status");
    diag("$res->{method} $res->{path} -> $res->{status}: $res->{body}") unless $ok;
    return $ok && !$self->openapi_errors($res);
}

# Checks an error response: status, error code and OpenAPI shape.
sub error_is {
    my ($self, $res, $status, $code, $name) = @_;
    $self->ok_status($res, $status, $name);
    is($res->{json}{error}{code}, $code, "$name: code $code") or diag($res->{body});
}

# Waits until /health answers 200 several times in a row (every worker has seen its
# dependencies again), for tests that follow a service restart.
sub wait_healthy {
    my ($self, $timeout) = @_;
    my $c = $self->client;
    my ($streak, $deadline) = (0, time + ($timeout // 15));
    while (time < $deadline) {
        $streak = $c->get('/health')->{status} == 200 ? $streak + 1 : 0;
        return 1 if $streak >= 8;
        select undef, undef, undef, 0.1 unless $streak;
    }
    Carp::croak('the stack did not become healthy');
}

sub stack {
    my ($self, @args) = @_;
    system($self->src . '/scripts/stack', @args, '--state', $self->{state}) == 0
        or croak "scripts/stack @args failed";
}

package MSKanban::Test::Client;
use strict;
use warnings;
use Mojo::UserAgent;
use Mojo::JSON qw(encode_json decode_json);

sub new {
    my ($class, $t, %opt) = @_;
    my $ua = Mojo::UserAgent->new(max_redirects => 0, request_timeout => 30, inactivity_timeout => 30);
    $ua->ca($opt{ca}) if $opt{ca};    # https: the CA file that signed the server's certificate
    my $ip = $opt{ip} // $t->next_ip;
    $ua->socket_options({ LocalAddr => $ip });
    return bless { t => $t, ua => $ua, ip => $ip, base => $opt{base} }, $class;
}

sub ua { $_[0]{ua} }
sub ip { $_[0]{ip} }

# request(METHOD, PATH, BODY?, HEADERS?, OPT?) -> { status, json, body, headers, method, path }
# A BODY that is a reference is sent as JSON with Content-Type application/json; a
# string is sent as is (set Content-Type in HEADERS yourself). The response is checked
# against the OpenAPI document (MSKanban::Test::check_response); OPT {undocumented => 1}
# says the request is outside the document and must get a JSON error.
sub request {
    my ($self, $method, $path, $body, $headers, $opt) = @_;
    my $tx = $self->{ua}->start($self->_tx($method, $path, $body, $headers));
    return $self->_result($tx, $method, $path, $opt);
}

# start(METHOD, PATH, BODY?, HEADERS?, CALLBACK, OPT?): the same without blocking; the
# callback gets the checked result once the answer is in (run the Mojo::IOLoop).
sub start {
    my ($self, $method, $path, $body, $headers, $cb, $opt) = @_;
    $self->{ua}->start($self->_tx($method, $path, $body, $headers) => sub {
        $cb->($self->_result($_[1], $method, $path, $opt));
    });
}

# request_p(...) -> a Mojo::Promise of the checked result.
sub request_p {
    my ($self, $method, $path, $body, $headers, $opt) = @_;
    return $self->{ua}->start_p($self->_tx($method, $path, $body, $headers))
        ->then(sub { $self->_result($_[0], $method, $path, $opt) });
}

sub base { $_[0]{base} // $_[0]{t}->api }

sub _tx {
    my ($self, $method, $path, $body, $headers) = @_;
    my %h = %{ $headers // {} };
    my @content;
    if (ref $body) {
        $h{'Content-Type'} //= 'application/json';
        @content = (encode_json($body));
    } elsif (defined $body) {
        @content = ($body);
    } elsif ($method ne 'GET' && $method ne 'DELETE' && $method ne 'HEAD') {
        $h{'Content-Type'} //= 'application/json';
        @content = ('{}');
    }
    return $self->{ua}->build_tx($method => $self->base . $path => \%h => @content);
}

sub _result {
    my ($self, $tx, $method, $path, $opt) = @_;
    my $res = $tx->res;
    my $text = $res->body;
    my $json = eval { length $text ? decode_json($text) : undef };
    my $err = $tx->error;
    my $r = {
        status => $res->code // 0,
        body => $text,
        json => $json,
        headers => { map { $_ => $res->headers->header($_) } @{ $res->headers->names } },
        method => $method,
        path => $path,
        error => $err,
    };
    $self->{t}->check_response($r, %{ $opt // {} });
    return $r;
}

sub get { my $s = shift; $s->request(GET => @_) }
sub post { my $s = shift; $s->request(POST => @_) }
sub patch { my $s = shift; $s->request(PATCH => @_) }
sub put { my $s = shift; $s->request(PUT => @_) }
sub delete { my $s = shift; $s->request(DELETE => @_) }

sub login {
    my ($self, $email, $auth_hash, %extra) = @_;
    my $r = $self->post('/auth/login', { email => $email, authHash => $auth_hash, %extra });
    Carp::croak("login failed: $r->{status} $r->{body}") unless $r->{status} == 200;
    $self->{id} = $r->{json}{user}{id};
    $self->{session_id} = $r->{json}{session}{id};
    return $r;
}

sub id { $_[0]{id} }
sub email { $_[0]{email} }

sub cookie {
    my ($self) = @_;
    my ($c) = grep { $_->name eq 'mskanban_session' } @{ $self->{ua}->cookie_jar->all };
    return $c ? $c->value : undef;
}

1;
