# Conditional reads: the board list of a workspace, the columns and the cards of a board
# carry an ETag; If-None-Match with it answers 304 without a body until a mutation
# changes the list (in the same commit). Access comes first: a non-member gets 404 and an
# anonymous caller 401, whatever ETag they send.
use strict;
use warnings;
use Test::More;
use MSKanban::Test;
use MSKanban::Kanban;

my $t = MSKanban::Test->new;
my $k = MSKanban::Kanban->new($t);
my $owner = $t->user;
my $member = $t->user;
my $stranger = $t->user;
my $ws = $k->workspace($owner)->{id};
$k->invite($owner, $ws, $member, 'member');
my $b = $k->board($owner, $ws)->{id};
my ($c1, $c2) = map { $k->column($owner, $b)->{id} } 1 .. 2;
my @cards = map { $k->card($owner, $c1)->{id} } 1 .. 3;

my %lists = (
    boards => "/workspaces/$ws/boards",
    columns => "/boards/$b/columns",
    cards => "/boards/$b/cards",
);

# GET with If-None-Match; checks the status (and the answer against OpenAPI).
sub cond_get {
    my ($c, $path, $etag, $want, $name) = @_;
    my $r = $c->get($path, undef, defined $etag ? { 'If-None-Match' => $etag } : {});
    $t->ok_status($r, $want, $name);
    return $r;
}

my %etag;
for my $l (sort keys %lists) {
    my $r = cond_get($owner, $lists{$l}, undef, 200, "$l: 200");
    $etag{$l} = $r->{headers}{ETag};
    like($etag{$l} // '', qr/^"[^"]+"$/, "$l: a quoted ETag");
    $r = cond_get($owner, $lists{$l}, $etag{$l}, 304, "$l: 304 for its own ETag");
    is($r->{body}, '', "$l: the 304 has no body");
    is($r->{headers}{ETag}, $etag{$l}, "$l: the 304 repeats the ETag");
    cond_get($member, $lists{$l}, $etag{$l}, 304, "$l: 304 for another member too");
    cond_get($owner, $lists{$l}, qq{"x", W/$etag{$l}}, 304, "$l: 304 for a weak ETag in a list");
    cond_get($owner, $lists{$l}, '*', 304, "$l: 304 for *");
    cond_get($owner, $lists{$l}, '"nope"', 200, "$l: 200 for another ETag");
    # Access first: never a 304 for a caller who may not see the list.
    my $r404 = cond_get($stranger, $lists{$l}, $etag{$l}, 404, "$l: a non-member with the ETag gets 404");
    $t->error_is($r404, 404, 'NOT_FOUND', "$l: the non-member's 404 has the error shape");
    my $anon = $t->client;
    cond_get($anon, $lists{$l}, $etag{$l}, 401, "$l: no session with the ETag gets 401");
    cond_get($owner, ($l eq 'boards' ? "/workspaces/cnothere/boards" : "/boards/cnothere/$l"), $etag{$l}, 404,
        "$l: a missing parent gets 404");
}
# The card list checks the session in the statement that reads the version (issue 16,
# Access::session_in_query): a revoked session is 401 before any 304, and a malformed
# board id is still 404 (and 401 without a session).
{
    my $second = $t->client;
    $second->login($owner->email, $owner->{authHash});
    cond_get($second, $lists{cards}, $etag{cards}, 304, 'cards: 304 for a second session');
    $t->ok_status($owner->delete("/me/sessions/$second->{session_id}"), 204, 'revoke the second session');
    my $r = cond_get($second, $lists{cards}, $etag{cards}, 401, 'cards: a revoked session with the ETag gets 401');
    $t->error_is($r, 401, 'UNAUTHORIZED', 'cards: the 401 has the error shape');
    cond_get($owner, '/boards/NOT-AN-ID/cards', $etag{cards}, 404, 'cards: a malformed board id gets 404');
    cond_get($t->client, '/boards/NOT-AN-ID/cards', undef, 401, 'cards: a malformed board id without a session gets 401');
}
isnt($etag{cards}, (cond_get($owner, "$lists{cards}?archived=true", undef, 200, 'cards ?archived=true'))->{headers}{ETag},
    'the archived filter is part of the ETag');

# Each mutation changes the lists it touches, and only those.
sub changed {
    my ($name, $mutate, @which) = @_;
    my $r = $mutate->();
    ok($r->{status} >= 200 && $r->{status} < 300, "$name: applied") or diag("$r->{status} $r->{body}");
    my %touched = map { $_ => 1 } @which;
    for my $l (sort keys %lists) {
        my $g = cond_get($owner, $lists{$l}, $etag{$l}, $touched{$l} ? 200 : 304,
            "$name: $l " . ($touched{$l} ? 'changed' : 'unchanged'));
        if ($touched{$l}) {
            isnt($g->{headers}{ETag}, $etag{$l}, "$name: $l has a new ETag");
            $etag{$l} = $g->{headers}{ETag};
        }
    }
}
changed('card created', sub { $member->post("/columns/$c1/cards", { encTitle => envelope() }) }, qw(cards columns));
changed('card moved', sub { $member->patch("/cards/$cards[0]/move", { toColumnId => $c2 }) }, qw(cards columns));
changed('card changed', sub { $member->patch("/cards/$cards[1]", { encTitle => envelope() }) }, qw(cards columns));
changed('card archived', sub { $member->patch("/cards/$cards[1]", { archived => Mojo::JSON::true() }) }, qw(cards columns));
changed('card deleted', sub { $member->delete("/cards/$cards[2]") }, qw(cards columns));
changed('column created', sub { $member->post("/boards/$b/columns", { encName => envelope() }) }, qw(cards columns));
changed('column renamed', sub { $member->patch("/columns/$c2", { encName => envelope() }) }, qw(cards columns));
changed('board renamed', sub { $member->patch("/boards/$b", { encName => envelope() }) }, qw(boards cards columns));
changed('another board created', sub { $member->post("/workspaces/$ws/boards", { encName => envelope(), encBoardKey => envelope(48) }) }, qw(boards));

# A failed mutation (rolled back) changes nothing.
my $bad = $member->patch("/cards/$cards[0]/move", { toColumnId => $c1, afterCardId => 'cnosuchcard' });
is($bad->{status}, 400, 'a bad move is refused');
cond_get($owner, $lists{cards}, $etag{cards}, 304, 'a refused mutation leaves the ETag alone');

# A member removed loses the 304 with the access.
is($owner->delete("/workspaces/$ws/members/" . $member->id)->{status}, 204, 'member removed');
cond_get($member, $lists{$_}, $etag{$_}, 404, "$_: a removed member with a current ETag gets 404") for sort keys %lists;

done_testing;
