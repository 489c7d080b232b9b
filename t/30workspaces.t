# Workspaces and members: create, list, read, rename, delete; invite (with the invitee
# lookup), remove, leave, the last-owner rule; bad input stores nothing; 401 and 404.
use strict;
use warnings;
use Test::More;
use MSKanban::Test;
use MSKanban::Kanban;

my $t = MSKanban::Test->new;
my $k = MSKanban::Kanban->new($t);
my ($alice, $bob, $carol) = ($t->user, $t->user, $t->user);
my $count = sub { $t->count_rows(@_) };

# --- create, list, read, rename ----------------------------------------------------------
my $id = 'cws' . lc(random_b64(12) =~ s/[^a-z0-9]//gir) . 'x';
my $name = envelope();
my $r = $alice->post('/workspaces', { id => $id, encName => $name, encWorkspaceKey => envelope(48) });
$t->ok_status($r, 201, 'create workspace');
is($r->{json}{workspace}{id}, $id, 'the client-chosen id is kept');
is($r->{json}{workspace}{role}, 'owner', 'creator is owner');
is($r->{json}{workspace}{encName}, $name, 'ciphertext stored unchanged');
$t->error_is($alice->post('/workspaces', { id => $id, encName => envelope(), encWorkspaceKey => envelope(48) }), 409, 'CONFLICT', 'id taken');

$r = $alice->get('/workspaces');
$t->ok_status($r, 200, 'list workspaces');
is_deeply([ map { $_->{id} } @{ $r->{json}{workspaces} } ], [$id], 'only her workspace');
$t->ok_status($alice->get("/workspaces/$id"), 200, 'get workspace');
$r = $alice->patch("/workspaces/$id", { encName => envelope() });
$t->ok_status($r, 200, 'rename');
isnt($r->{json}{workspace}{encName}, $name, 'renamed');

# --- bad input: nothing stored -------------------------------------------------------------
my $before = $t->owned_rows(workspaces => $alice->id);
for my $case (
    [{}, 'empty body'],
    [{ encName => 'plain text', encWorkspaceKey => envelope(48) }, 'plaintext name'],
    [{ encName => 42, encWorkspaceKey => envelope(48) }, 'name not a string'],
    [{ encName => envelope() }, 'no key'],
    [{ encName => envelope(), encWorkspaceKey => 'not!base64' }, 'malformed key'],
    [{ encName => envelope(), encWorkspaceKey => random_b64(20) }, 'sealed box too short'],
    [{ id => 'NOT-AN-ID', encName => envelope(), encWorkspaceKey => envelope(48) }, 'bad id'],
    [{ encName => 'v1.' . random_b64(24) . '.' . random_b64(8), encWorkspaceKey => envelope(48) }, 'ciphertext shorter than the tag'],
    [{ encName => envelope(5000), encWorkspaceKey => envelope(48) }, 'name too large'],
) {
    $t->error_is($alice->post('/workspaces', $case->[0]), 400, 'BAD_REQUEST', "create: $case->[1]");
}
$t->error_is($alice->post('/workspaces', '[1,2]', { 'Content-Type' => 'application/json' }), 400, 'BAD_REQUEST', 'create: not an object');
$t->error_is($alice->post('/workspaces', 'x' x (2 * 1024 * 1024 - 100), { 'Content-Type' => 'application/json' }), 413, 'PAYLOAD_TOO_LARGE', 'create: oversize body');
$t->error_is($alice->patch("/workspaces/$id", { encName => 'nope' }), 400, 'BAD_REQUEST', 'rename: plaintext');
$t->error_is($alice->patch("/workspaces/$id", {}), 400, 'BAD_REQUEST', 'rename: nothing');
is($t->owned_rows(workspaces => $alice->id), $before, 'no workspace stored by bad input');
is($t->orphan_workspaces, 0, 'no workspace stored without its member row');

# --- anonymous and non-members ---------------------------------------------------------
my $anon = $t->client;
$t->error_is($anon->get('/workspaces'), 401, 'UNAUTHORIZED', 'list: anonymous');
$t->error_is($anon->post('/workspaces', { encName => envelope(), encWorkspaceKey => envelope(48) }), 401, 'UNAUTHORIZED', 'create: anonymous');
$t->error_is($bob->get("/workspaces/$id"), 404, 'NOT_FOUND', 'get: non-member');
$t->error_is($bob->get('/workspaces/cnosuchworkspace00000000'), 404, 'NOT_FOUND', 'get: missing id');
$t->error_is($bob->get('/workspaces/BAD'), 404, 'NOT_FOUND', 'get: malformed id');
$t->error_is($bob->patch("/workspaces/$id", { encName => envelope() }), 404, 'NOT_FOUND', 'rename: non-member');
$t->error_is($bob->delete("/workspaces/$id"), 404, 'NOT_FOUND', 'delete: non-member');
$t->error_is($bob->get("/workspaces/$id/members"), 404, 'NOT_FOUND', 'members: non-member');
$t->error_is($bob->post("/workspaces/$id/members/lookup", { email => $carol->email }), 404, 'NOT_FOUND', 'lookup: non-member');

# --- invite through the lookup --------------------------------------------------------------
$r = $alice->post("/workspaces/$id/members/lookup", { email => uc $bob->email });
$t->ok_status($r, 200, 'lookup (case-insensitive email)');
is($r->{json}{user}{userId}, $bob->id, 'lookup finds bob');
is($r->{json}{user}{publicKey}, $bob->{reg}{publicKey}, 'with his public key');
is_deeply([sort keys %{ $r->{json}{user} }], [qw(publicKey userId)], 'and nothing else');
$t->error_is($alice->post("/workspaces/$id/members/lookup", { email => 'nobody-' . random_b64(6) . '@example.org' }), 404, 'NOT_FOUND', 'lookup: unknown');
$t->error_is($alice->post("/workspaces/$id/members/lookup", { email => 'not an email' }), 400, 'BAD_REQUEST', 'lookup: bad email');
$t->error_is($anon->post("/workspaces/$id/members/lookup", { email => $bob->email }), 401, 'UNAUTHORIZED', 'lookup: anonymous');

my $members_before = $count->('SELECT 1 FROM workspace_members WHERE workspace_id = ?', $id);
for my $case (
    [{ encWorkspaceKey => MSKanban::Kanban::sealed_key() }, 'no userId'],
    [{ userId => 'bad', encWorkspaceKey => MSKanban::Kanban::sealed_key() }, 'malformed userId'],
    [{ userId => 'cnosuchuser0000000000000', encWorkspaceKey => MSKanban::Kanban::sealed_key() }, 'unknown user'],
    [{ userId => $bob->id }, 'no key'],
    [{ userId => $bob->id, encWorkspaceKey => 'x' }, 'malformed key'],
    [{ userId => $bob->id, encWorkspaceKey => MSKanban::Kanban::sealed_key(), role => 'admin' }, 'unknown role'],
) {
    $t->error_is($alice->post("/workspaces/$id/members", $case->[0]), 400, 'BAD_REQUEST', "invite: $case->[1]");
}
is($count->('SELECT 1 FROM workspace_members WHERE workspace_id = ?', $id), $members_before, 'no member stored by bad input');

my $sealed = MSKanban::Kanban::sealed_key();
$r = $alice->post("/workspaces/$id/members", { userId => $bob->id, encWorkspaceKey => $sealed, role => 'viewer' });
$t->ok_status($r, 201, 'invite bob as viewer');
is($r->{json}{member}{role}, 'viewer', 'role viewer');
$t->error_is($alice->post("/workspaces/$id/members", { userId => $bob->id, encWorkspaceKey => $sealed }), 409, 'CONFLICT', 'already a member');
$r = $bob->get("/workspaces/$id");
$t->ok_status($r, 200, 'bob sees the workspace');
is($r->{json}{workspace}{encWorkspaceKey}, $sealed, 'with his own sealed copy of the key');
is($r->{json}{workspace}{role}, 'viewer', 'as a viewer');
$r = $bob->get("/workspaces/$id/members");
$t->ok_status($r, 200, 'bob lists members');
is(scalar @{ $r->{json}{members} }, 2, 'two members');
$t->error_is($bob->patch("/workspaces/$id", { encName => envelope() }), 403, 'FORBIDDEN', 'viewer cannot rename');
$t->error_is($bob->post("/workspaces/$id/members", { userId => $carol->id, encWorkspaceKey => $sealed }), 403, 'FORBIDDEN', 'viewer cannot invite');
$t->error_is($bob->post("/workspaces/$id/members/lookup", { email => $carol->email }), 403, 'FORBIDDEN', 'viewer cannot look up');
$t->error_is($bob->delete("/workspaces/$id/members/" . $alice->id), 403, 'FORBIDDEN', 'viewer cannot remove others');

# --- removal, leaving and the last owner ------------------------------------------------
$t->error_is($alice->delete("/workspaces/$id/members/" . $alice->id), 409, 'CONFLICT', 'last owner cannot leave');
$t->error_is($alice->delete("/workspaces/$id/members/" . $carol->id), 404, 'NOT_FOUND', 'remove: not a member');
$k->invite($alice, $id, $carol, 'owner');
$t->ok_status($carol->delete("/workspaces/$id/members/" . $alice->id), 204, 'an owner removes another owner');
$t->error_is($alice->get("/workspaces/$id"), 404, 'NOT_FOUND', 'removed owner no longer sees it');
$t->ok_status($bob->delete("/workspaces/$id/members/" . $bob->id), 204, 'a viewer leaves');
is($count->(q{SELECT 1 FROM activity WHERE workspace_id = ? AND verb IN ('MEMBER_ADDED', 'MEMBER_REMOVED')}, $id), 4, 'member changes are in the feed');

# --- delete --------------------------------------------------------------------------------
my $board = $k->board($carol, $id);
$t->error_is($alice->delete("/workspaces/$id"), 404, 'NOT_FOUND', 'delete: former member');
$t->ok_status($carol->delete("/workspaces/$id"), 204, 'owner deletes');
is($count->('SELECT 1 FROM workspaces WHERE id = ?', $id), 0, 'workspace gone');
is($count->('SELECT 1 FROM boards WHERE id = ?', $board->{id}), 0, 'with its boards');
$t->error_is($carol->get("/workspaces/$id"), 404, 'NOT_FOUND', 'gone for the owner too');

# --- GET /me lists the user's memberships --------------------------------------------------
my $dave = $t->user;
my $me = $dave->get('/me');
$t->ok_status($me, 200, '/me with no workspace');
is_deeply($me->{json}{workspaces}, [], 'no memberships');
my $own = $k->workspace($dave);
my $shared = $k->workspace($alice);
$k->invite($alice, $shared->{id}, $dave, 'viewer');
$me = $dave->get('/me');
$t->ok_status($me, 200, '/me with two workspaces');
my %role = map { $_->{id} => $_->{role} } @{ $me->{json}{workspaces} };
is_deeply(\%role, { $own->{id} => 'owner', $shared->{id} => 'viewer' }, 'each membership with its role');
my ($copy) = grep { $_->{id} eq $shared->{id} } @{ $me->{json}{workspaces} };
ok($copy->{encWorkspaceKey} && $copy->{encName}, 'with the encrypted name and the member\'s key copy');

done_testing;
