# The response checker (MSKanban::OpenAPI) that every request of the suite goes through
# can fail: fed wrong answers, it names each mismatch; fed a right one, it is silent.
# Needs no stack.
use strict;
use warnings;
use Test::More;
use FindBin;
use lib "$FindBin::Bin/lib";
use Mojo::JSON qw(encode_json);
use MSKanban::OpenAPI;

my $api = MSKanban::OpenAPI->load;
my $JSON = { 'Content-Type' => 'application/json' };
my $ts = '2026-05-25T12:34:56.789Z';
my $env = 'v1.' . ('A' x 32) . '.' . ('B' x 22);
my %card = (
    id => 'cabc123', boardId => 'cboard1', columnId => 'ccol1', encTitle => $env, encDescription => undef,
    position => 'a0', dueAt => undef, startAt => undef, archived => Mojo::JSON->false, milestoneId => undef,
    checklist => { done => 1, total => 3 }, labelIds => [], assigneeIds => [], customFields => {},
    createdBy => 'cuser1', createdAt => $ts, updatedAt => $ts,
);

sub errors { $api->check(method => 'GET', path => '/cards/cabc123', status => 200, headers => $JSON, @_) }
sub fails_with {
    my ($re, $name, @errors) = @_;
    ok(scalar(grep { /$re/ } @errors), $name) or diag(@errors ? join("\n", @errors) : 'no error reported');
}

# A right answer passes, through a $ref'd response and $ref'd schemas.
my @e = errors(body => encode_json({ card => \%card }));
ok(!@e, 'a correct Card response passes') or diag join "\n", @e;
@e = $api->check(method => 'GET', path => '/api/cards/cabc123?x=1', status => 200,
    headers => { 'content-type' => 'application/json; charset=utf-8' }, body => encode_json({ card => \%card }));
ok(!@e, 'base path, query string, header case and a charset parameter are fine') or diag join "\n", @e;

# Each kind of wrong answer fails.
my %no_pos = %card;
delete $no_pos{position};
fails_with(qr/position/, 'a Card without position (required, behind $ref)', errors(body => encode_json({ card => \%no_pos })));
fails_with(qr/extra|additional|not allowed/i, 'an undeclared key where additionalProperties is false',
    errors(body => encode_json({ card => { %card, secret => 1 } })));
fails_with(qr/pattern|match/i, 'a position key of the wrong format',
    errors(body => encode_json({ card => { %card, position => '0 bad' } })));
fails_with(qr/boolean|type/i, 'a wrong type', errors(body => encode_json({ card => { %card, archived => 'no' } })));
fails_with(qr/status 418 is not declared/, 'an undeclared status (418)', errors(status => 418, body => '{}'));
fails_with(qr/no body/, 'a missing body where JSON is declared', errors(body => ''));
fails_with(qr/no body/, 'an undefined body', errors(body => undef));
fails_with(qr/not JSON/, 'a non-JSON body', errors(body => '<html>oops</html>'));
fails_with(qr/Content-Type 'text\/html'/, 'a wrong Content-Type',
    errors(headers => { 'Content-Type' => 'text/html' }, body => encode_json({ card => \%card })));
fails_with(qr/no Content-Type/, 'a missing Content-Type', errors(headers => {}, body => encode_json({ card => \%card })));
fails_with(qr/error/, 'a $ref\'d error body (NotFound) with the wrong shape',
    errors(status => 404, body => encode_json({ error => 'NOT_FOUND' })));
fails_with(qr/message/, 'an error body without message',
    errors(status => 404, body => encode_json({ error => { code => 'NOT_FOUND' } })));
fails_with(qr/not allowed|additional/i, 'an error body with an extra key',
    errors(status => 404, body => encode_json({ error => { code => 'NOT_FOUND', message => 'x' }, debug => 1 })));
@e = errors(status => 404, body => encode_json({ error => { code => 'NOT_FOUND', message => 'No such card.' } }));
ok(!@e, 'a correct error body passes') or diag join "\n", @e;

# Paths, methods, bodies of empty answers, headers.
fails_with(qr/not in the OpenAPI document/, 'an unknown path', $api->check(method => 'GET', path => '/nope', status => 200, headers => $JSON, body => '{}'));
fails_with(qr/not declared for/, 'an undeclared method', $api->check(method => 'PUT', path => '/health', status => 200, headers => $JSON, body => '{}'));
fails_with(qr/declares no body/, '204 with a body',
    $api->check(method => 'DELETE', path => '/cards/cabc123', status => 204, headers => $JSON, body => '{}'));
ok(!$api->check(method => 'DELETE', path => '/cards/cabc123', status => 204, headers => {}, body => ''), '204 without a body passes');
fails_with(qr/no HTTP response/, 'no response at all', errors(status => 0, error => 'connection refused'));
fails_with(qr/header Retry-After/, 'a declared header of the wrong type',
    $api->check(method => 'POST', path => '/auth/login-init', status => 429,
        headers => { %$JSON, 'Retry-After' => 'soon' }, body => encode_json({ error => { code => 'RATE_LIMITED', message => 'x' } })));
ok(!$api->check(method => 'HEAD', path => '/health', status => 200, headers => $JSON, body => ''), 'HEAD is checked as GET without a body');

# Streams and upgrades: status and Content-Type only.
ok(!$api->check(method => 'GET', path => '/api/boards/cb1/live', status => 200,
    headers => { 'Content-Type' => 'text/event-stream' }, body => undef), 'an event stream passes');
fails_with(qr/Content-Type/, 'an event stream as JSON',
    $api->check(method => 'GET', path => '/api/boards/cb1/live', status => 200, headers => $JSON, body => '{}'));
ok(!$api->check(method => 'GET', path => '/api/ws/card:cabc', status => 101, headers => { Upgrade => 'websocket' }),
    'a WebSocket upgrade passes');

# Answers outside the document must still be JSON errors.
ok(!$api->check_error(method => 'GET', path => '/no/such', status => 404, headers => $JSON,
    body => encode_json({ error => { code => 'NOT_FOUND', message => 'x' } })), 'an unknown route with the error shape passes');
fails_with(qr/not JSON/, 'an unknown route answered in HTML',
    $api->check_error(method => 'GET', path => '/no/such', status => 404, headers => $JSON, body => '<html>'));
fails_with(qr/declares this operation/, 'a documented operation is not "outside the document"',
    $api->check_error(method => 'GET', path => '/health', status => 404, headers => $JSON,
        body => encode_json({ error => { code => 'NOT_FOUND', message => 'x' } })));

# The resolver: no $ref is left anywhere in the document it checks against.
my @refs;
my $walk;
$walk = sub {
    my ($n, $at) = @_;
    if (ref $n eq 'HASH') { push @refs, $at if exists $n->{'$ref'}; $walk->($n->{$_}, "$at/$_") for keys %$n }
    elsif (ref $n eq 'ARRAY') { $walk->($n->[$_], "$at/$_") for 0 .. $#$n }
};
$walk->($api->document, '#');
is_deeply(\@refs, [], 'every $ref is resolved');

done_testing;
