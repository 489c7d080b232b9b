package MSKanban::OpenAPI;
# The response checker behind every request the integration tests make: loads
# docs/api/openapi.yaml once, inlines every `$ref` (responses, schemas, parameters), and
# answers "what is wrong with this response?" for a (method, concrete path, status,
# headers, raw body). An empty list means the document declares exactly this answer.
#
#   my $api = MSKanban::OpenAPI->load;                 # cached per file
#   my @errors = $api->check(method => 'GET', path => '/cards/c123', status => 200,
#       headers => { 'Content-Type' => 'application/json' }, body => '{"card":{...}}');
#
# What fails: a path or method the document does not have; a status it does not declare
# for the operation (`default` counts only where the document has one); a body where none
# is declared (always for 204 and 304); a missing, wrong or unparsable Content-Type where
# a media type is declared; a missing or non-JSON body where JSON is declared; a body
# that does not match the schema (JSON Schema 2019-09 semantics, which covers what the
# document uses: required, additionalProperties, types, patterns, enums, oneOf/allOf);
# a declared response header whose value does not match its schema. `text/event-stream`
# and the WebSocket upgrade (101) are checked by status and Content-Type only: their
# bodies are streams. HEAD is checked as GET without a body.
use strict;
use warnings;
use Carp qw(croak);
use File::Basename qw(dirname);
use File::Spec;
use YAML::XS ();
use Mojo::JSON qw(decode_json);
use JSON::Validator::Schema::Draft201909;

my %CACHE;

sub default_file {
    return $ENV{MSKANBAN_OPENAPI}
        // File::Spec->rel2abs(dirname(__FILE__) . '/../../../docs/api/openapi.yaml');
}

# load($file?) -> the checker for that document, parsed and resolved once per process.
sub load {
    my ($class, $file) = @_;
    $file //= default_file();
    return $CACHE{$file} //= $class->new(YAML::XS::LoadFile($file), $file);
}

# new($document_hashref, $name?) -> a checker for an already parsed document.
sub new {
    my ($class, $doc, $name) = @_;
    my $self = bless { raw => $doc, name => $name // 'openapi', validators => {} }, $class;
    $self->{doc} = $self->_inline($doc, {});
    $self->{ops} = $self->_operations;
    return $self;
}

sub document { $_[0]{doc} }

# Every `{"$ref": "#/..."}` replaced by a copy of what it points at (siblings of the
# $ref, such as a description, are kept). A reference cycle is an error in the document.
sub _inline {
    my ($self, $node, $seen) = @_;
    if (ref $node eq 'HASH') {
        if (defined(my $ref = $node->{'$ref'})) {
            croak "$self->{name}: only local references are supported, not $ref" unless $ref =~ m{^#(/.*)?$};
            croak "$self->{name}: reference cycle through $ref" if $seen->{$ref};
            my $target = $self->_pointer($ref);
            my $resolved = $self->_inline($target, { %$seen, $ref => 1 });
            my %rest = map { $_ => $node->{$_} } grep { $_ ne '$ref' } keys %$node;
            return $resolved unless %rest && ref $resolved eq 'HASH';
            return { %$resolved, %{ $self->_inline(\%rest, $seen) } };
        }
        return { map { $_ => $self->_inline($node->{$_}, $seen) } keys %$node };
    }
    return [ map { $self->_inline($_, $seen) } @$node ] if ref $node eq 'ARRAY';
    return $node;
}

sub _pointer {
    my ($self, $ref) = @_;
    my $node = $self->{raw};
    (my $ptr = $ref) =~ s/^#//;
    for my $part (grep { length } split m{/}, $ptr) {
        $part =~ s/~1/\//g;
        $part =~ s/~0/~/g;
        croak "$self->{name}: unresolvable reference $ref" unless ref $node eq 'HASH' && exists $node->{$part};
        $node = $node->{$part};
    }
    return $node;
}

# [ { template, re, methods => { get => op, ... } } ], literal paths before templated
# ones so that /members/lookup wins over /members/{userId}.
sub _operations {
    my ($self) = @_;
    my $paths = $self->{doc}{paths} // {};
    my @ops;
    for my $p (keys %$paths) {
        my (%m, $vars);
        for my $k (keys %{ $paths->{$p} }) {
            $m{$k} = $paths->{$p}{$k} if $k =~ /^(get|put|post|delete|options|head|patch|trace)$/;
        }
        (my $re = quotemeta $p) =~ s/\\\{[^}]+\\\}/[^\/]+/g;
        $vars = () = $p =~ /\{/g;
        push @ops, { template => $p, re => qr/^$re$/, methods => \%m, vars => $vars };
    }
    return [ sort { $a->{vars} <=> $b->{vars} || $a->{template} cmp $b->{template} } @ops ];
}

# The document's path template for a concrete path (query string and a leading /api,
# the server base, are ignored), or undef.
sub template_for {
    my ($self, $path) = @_;
    my $op = $self->_path_entry($path);
    return $op ? $op->{template} : undef;
}

sub _path_entry {
    my ($self, $path) = @_;
    $path =~ s/[?#].*//s;
    my $base = $self->_base;
    $path =~ s/^\Q$base\E(?=\/|$)// if length $base;
    $path = '/' unless length $path;
    for my $op (@{ $self->{ops} }) { return $op if $path =~ $op->{re} }
    return undef;
}

sub _base {
    my ($self) = @_;
    return $self->{base} //= do {
        my $url = ($self->{doc}{servers} // [ {} ])->[0]{url} // '';
        $url =~ s{^[a-z]+://[^/]+}{}i;
        $url =~ s{/$}{};
        $url;
    };
}

sub _header {
    my ($headers, $name) = @_;
    for my $k (keys %{ $headers // {} }) { return $headers->{$k} if lc $k eq lc $name }
    return undef;
}

# The JSON Schema validator for one schema node (cached by address: nodes are stable).
sub _validator {
    my ($self, $schema) = @_;
    return $self->{validators}{"$schema"} //= JSON::Validator::Schema::Draft201909->new($schema);
}

sub schema_errors {
    my ($self, $schema, $data, $where) = @_;
    return map { ($where // 'body') . ": $_" } $self->_validator($schema)->validate($data);
}

# check(method, path, status, headers => {}, body => bytes|undef) -> list of errors
sub check {
    my ($self, %r) = @_;
    my $method = uc($r{method} // '');
    my $path = $r{path} // '';
    my $status = $r{status} // 0;
    my $body = $r{body};
    my $what = "$method $path -> $status";
    my $head = $method eq 'HEAD';
    my $has_body = defined $body && length $body;
    my @e;

    return ("$what: no HTTP response" . ($r{error} ? " ($r{error})" : '')) unless $status;

    my $entry = $self->_path_entry($path)
        or return ("$what: path is not in the OpenAPI document");
    my $op = $entry->{methods}{ lc($head ? 'GET' : $method) }
        or return ("$what: $method is not declared for $entry->{template}");
    my $responses = $op->{responses} // {};
    my $decl = $responses->{$status} // $responses->{ substr($status, 0, 1) . 'XX' } // $responses->{default};
    return ("$what: status $status is not declared for $method $entry->{template} (declared: "
        . join(', ', sort keys %$responses) . ')') unless $decl;

    for my $name (sort keys %{ $decl->{headers} // {} }) {
        my $h = $decl->{headers}{$name};
        my $v = _header($r{headers}, $name);
        if (!defined $v) {
            push @e, "$what: required header $name is missing" if $h->{required};
            next;
        }
        my $schema = $h->{schema} or next;
        my $type = $schema->{type} // '';
        $v = 0 + $v if ($type eq 'integer' || $type eq 'number') && $v =~ /^-?[0-9]+(\.[0-9]+)?$/;
        push @e, $self->schema_errors($schema, $v, "$what: header $name");
    }

    my $content = $decl->{content};
    if (!$content || !%$content || $status == 204 || $status == 304) {
        push @e, "$what: the document declares no body for $status, got " . length($body) . ' bytes'
            if $has_body;
        push @e, "$what: $status must not declare a body" if ($status == 204 || $status == 304) && $content && %$content;
        return @e;
    }

    my $ctype = _header($r{headers}, 'Content-Type');
    my ($mt) = defined $ctype ? lc($ctype) =~ m{^\s*([a-z0-9!#\$&^_.+-]+/[a-z0-9!#\$&^_.+-]+)\s*(?:;|$)} : ();
    if (!defined $ctype) {
        return (@e, "$what: no Content-Type (declared: " . join(', ', sort keys %$content) . ')');
    }
    if (!defined $mt) {
        return (@e, "$what: malformed Content-Type '$ctype'");
    }
    my ($media) = grep { lc($_) eq $mt } keys %$content;
    ($media) = grep { (my $k = quotemeta lc $_) =~ s{\\\*}{[^/]+}g; $mt =~ /^$k$/ } keys %$content unless $media;
    return (@e, "$what: Content-Type '$ctype' is not declared (declared: " . join(', ', sort keys %$content) . ')')
        unless $media;

    return @e if $head;    # HEAD: the GET's status and headers, never a body
    if ($mt eq 'application/json' || $mt =~ m{\+json$}) {
        return (@e, "$what: no body, the document declares $media") unless $has_body;
        my $json = eval { decode_json($body) };
        return (@e, "$what: body is not JSON: " . substr($body, 0, 120)) if $@;
        my $schema = $content->{$media}{schema};
        push @e, $self->schema_errors($schema, $json, "$what: body") if $schema;
    }
    return @e;
}

# check_error(method, path, status, headers, body): for an answer outside the document
# (an unknown route, a method the route does not have): the operation must really be
# undocumented, and the answer must be an error in the JSON Error shape (or a redirect
# with a Location).
sub check_error {
    my ($self, %r) = @_;
    my $what = uc($r{method} // '') . " " . ($r{path} // '') . " -> " . ($r{status} // 0);
    my @e;
    push @e, "$what: expected to be outside the document, but it declares this operation"
        if $self->_path_entry($r{path} // '')
        && $self->_path_entry($r{path})->{methods}{ lc(uc($r{method}) eq 'HEAD' ? 'get' : $r{method}) };
    my $status = $r{status} // 0;
    if ($status >= 300 && $status < 400) {    # a redirect (nginx adding a slash) must say where
        push @e, "$what: redirect without Location" unless defined _header($r{headers}, 'Location');
        return @e;
    }
    return (@e, "$what: not an error status") unless $status >= 400;
    my $ctype = _header($r{headers}, 'Content-Type') // '';
    push @e, "$what: Content-Type '$ctype' is not application/json" unless $ctype =~ m{^application/json\s*(;|$)}i;
    return @e if uc($r{method} // '') eq 'HEAD';
    my $json = eval { decode_json($r{body} // '') };
    return (@e, "$what: body is not JSON") if $@ || !defined $json;
    my $schema = $self->{doc}{components}{schemas}{Error} or return (@e, "$what: the document has no Error schema");
    return (@e, $self->schema_errors($schema, $json, "$what: body"));
}

1;
