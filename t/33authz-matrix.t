# The authorization matrix: every kanban route x {anonymous, non-member, viewer, member,
# owner}, plus the owner using ids of another workspace ("foreign"). Fixtures are seeded
# fresh in the database for each cell, so destructive cells do not affect one another.
# The expected table is below; any cell that differs fails the test.
use strict;
use warnings;
use Test::More;
use MSKanban::Test;
use MSKanban::Kanban;

my $t = MSKanban::Test->new;
my $dbh = $t->dbh;

#  route                                   anon non-member viewer member owner foreign
my $table = <<'TABLE';
GET    /workspaces                          401  200  200  200  200  200
POST   /workspaces                          401  201  201  201  201  201
GET    /workspaces/:ws                      401  404  200  200  200  404
PATCH  /workspaces/:ws                      401  404  403  403  200  404
DELETE /workspaces/:ws                      401  404  403  403  204  404
GET    /workspaces/:ws/members              401  404  200  200  200  404
POST   /workspaces/:ws/members              401  404  403  403  201  404
POST   /workspaces/:ws/members/lookup       401  404  403  403  200  404
DELETE /workspaces/:ws/members/:extra       401  404  403  403  204  404
GET    /workspaces/:ws/boards               401  404  200  200  200  404
POST   /workspaces/:ws/boards               401  404  403  201  201  404
GET    /boards/:board                       401  404  200  200  200  404
PATCH  /boards/:board                       401  404  403  200  200  404
DELETE /boards/:board                       401  404  403  204  204  404
GET    /boards/:board/columns               401  404  200  200  200  404
POST   /boards/:board/columns               401  404  403  201  201  404
PATCH  /columns/:col                        401  404  403  200  200  404
DELETE /columns/:empty                      401  404  403  200  200  404
POST   /columns/:col/cards                  401  404  403  201  201  404
GET    /boards/:board/cards                 401  404  200  200  200  404
GET    /cards/:card                         401  404  200  200  200  404
PATCH  /cards/:card                         401  404  403  200  200  404
PATCH  /cards/:card/move                    401  404  403  200  200  404
DELETE /cards/:card                         401  404  403  204  204  404
GET    /boards/:board/labels                401  404  200  200  200  404
POST   /boards/:board/labels                401  404  403  201  201  404
PATCH  /labels/:label                       401  404  403  200  200  404
DELETE /labels/:label                       401  404  403  204  204  404
POST   /cards/:card/labels                  401  404  403  200  200  404
DELETE /cards/:card/labels                  401  404  403  200  200  404
POST   /cards/:card/assignments             401  404  403  200  200  404
DELETE /cards/:card/assignments/:extra      401  404  403  200  200  404
GET    /cards/:card/comments                401  404  200  200  200  404
POST   /cards/:card/comments                401  404  403  201  201  404
PATCH  /comments/:cmt                       401  404  403  200  403  404
DELETE /comments/:cmt                       401  404  403  204  204  404
GET    /cards/:card/checklists              401  404  200  200  200  404
POST   /cards/:card/checklists              401  404  403  201  201  404
PATCH  /checklists/:list                    401  404  403  200  200  404
POST   /checklists/:list/items              401  404  403  201  201  404
PATCH  /checklist-items/:item               401  404  403  200  200  404
DELETE /checklist-items/:item               401  404  403  204  204  404
DELETE /checklists/:list                    401  404  403  204  204  404
GET    /boards/:board/card-templates        401  404  200  200  200  404
POST   /boards/:board/card-templates        401  404  403  201  201  404
DELETE /card-templates/:tpl                 401  404  403  204  204  404
GET    /boards/:board/custom-fields         401  404  200  200  200  404
POST   /boards/:board/custom-fields         401  404  403  201  201  404
PATCH  /custom-fields/:field                401  404  403  200  200  404
DELETE /custom-fields/:field                401  404  403  204  204  404
GET    /boards/:board/activity              401  404  200  200  200  404
GET    /boards/:board/webhooks              401  404  403  403  200  404
POST   /boards/:board/webhooks              401  404  403  403  201  404
PATCH  /webhooks/:hook                      401  404  403  403  200  404
GET    /webhooks/:hook/deliveries           401  404  403  403  200  404
POST   /webhooks/deliveries/:dlv/requeue    401  404  403  403  204  404
DELETE /webhooks/:hook                      401  404  403  403  204  404
GET    /boards/:board/automations           401  404  200  200  200  404
POST   /boards/:board/automations           401  404  403  201  201  404
PATCH  /automations/:auto                   401  404  403  200  200  404
POST   /automations/:auto/claims            401  404  403  201  201  404
DELETE /automations/:auto                   401  404  403  204  204  404
GET    /boards/:board/milestones            401  404  200  200  200  404
POST   /boards/:board/milestones            401  404  403  201  201  404
PATCH  /milestones/:ms                      401  404  403  200  200  404
PUT    /cards/:card/milestone               401  404  403  200  200  404
DELETE /milestones/:ms                      401  404  403  204  204  404
GET    /cards/:card/attachments             401  404  200  200  200  404
POST   /cards/:card/attachments             401  404  403  201  201  404
GET    /attachments/:att                    401  404  200  200  200  404
GET    /attachments/:att/meta               401  404  200  200  200  404
DELETE /attachments/:att                    401  404  403  204  204  404
GET    /me/notifications                    401  200  200  200  200  200
POST   /me/notifications/read               401  400  400  400  400  400
GET    /me/export                           401  200  200  200  200  200
DELETE /me                                  401  400  400  400  400  400
POST   /auth/recovery/init                  200  200  200  200  200  200
POST   /auth/recovery                       401  401  401  401  401  401
PUT    /me/recovery                         401  403  403  403  403  403
POST   /auth/webauthn/register              401  200  200  200  200  200
POST   /auth/webauthn/verify                401  400  400  400  400  400
GET    /me/webauthn                         401  200  200  200  200  200
POST   /me/webauthn/challenge               401  200  404  404  200  200
DELETE /me/webauthn/:wakey                  401  404  404  404  403  404
TABLE

my ($extra, $invitee) = map { $t->user } 1 .. 2;
my $attachment_dir = $t->env('MSKANBAN_ATTACHMENT_DIR');
# The table has more mutating rows than one user may send in a minute (rate_limit.mutation,
# 60/1m by default): each line is played by one of several casts, in turn.
my @casts = map { [ map { $t->user } 1 .. 4 ] } 1 .. 3;
my ($owner, $member, $viewer, $outsider);
my $anon = $t->client;

my $n = 0;
sub fresh_id { sprintf 'cmx%x%05d%s', $$, ++$n, lc(MSKanban::Test::random_b64(6) =~ s/[^a-z0-9]//gir) }

# One workspace with its members, a board with a label and a milestone, a column with a
# card and an empty column, and a notification of the extra member's (nobody else may
# mark it read: POST /me/notifications/read is a 400 for every caller but them).
sub seed {
    my ($own, @members) = @_;
    my %f = map { $_ => fresh_id() } qw(ws board col empty card label);
    $dbh->do('INSERT INTO workspaces (id, enc_name, created_by) VALUES (?, ?, ?)', undef, $f{ws}, envelope(), $own->id);
    for my $m ([$own, 'owner'], @members) {
        $dbh->do('INSERT INTO workspace_members (workspace_id, user_id, role, enc_workspace_key) VALUES (?, ?, ?, ?)',
            undef, $f{ws}, $m->[0]->id, $m->[1], envelope(48));
    }
    $dbh->do('INSERT INTO boards (id, workspace_id, enc_name, enc_board_key) VALUES (?, ?, ?, ?)', undef, $f{board}, $f{ws}, envelope(), envelope(48));
    $dbh->do('INSERT INTO columns (id, board_id, enc_name, position) VALUES (?, ?, ?, ?), (?, ?, ?, ?)', undef,
        $f{col}, $f{board}, envelope(), 'a0', $f{empty}, $f{board}, envelope(), 'a1');
    $dbh->do('INSERT INTO cards (id, board_id, column_id, enc_title, position) VALUES (?, ?, ?, ?, ?)', undef,
        $f{card}, $f{board}, $f{col}, envelope(), 'a0');
    # A comment by the first member listed (the "member" of the matrix), a checklist with an item.
    $f{$_} = fresh_id() for qw(cmt list item);
    $dbh->do('INSERT INTO comments (id, board_id, card_id, author_id, enc_body) VALUES (?, ?, ?, ?, ?)', undef,
        $f{cmt}, $f{board}, $f{card}, $members[0][0]->id, envelope());
    $dbh->do('INSERT INTO labels (id, board_id, enc_name, colour) VALUES (?, ?, ?, ?)', undef, $f{label}, $f{board}, envelope(), 'red');
    # A webhook that takes no verb (so no cell makes deliveries), with one dead delivery;
    # an automation.
    ($f{hook}, $f{auto}, $f{dlv}) = (fresh_id(), fresh_id(), $dbh->selectrow_array('SELECT msk_ulid()'));
    $dbh->do(q{INSERT INTO webhooks (id, board_id, url, events, secret_sealed) VALUES (?, ?, 'http://127.0.0.2:9/hook', '{X_NONE}', 'x')},
        undef, $f{hook}, $f{board});
    $dbh->do(q{INSERT INTO webhook_deliveries (id, webhook_id, activity_id, verb, payload, state) VALUES (?, ?, 'x', 'X_NONE', ?, 'dead')},
        undef, $f{dlv}, $f{hook}, Mojo::JSON::encode_json({ verb => 'X_NONE', boardId => $f{board}, cardId => undef, actorId => undef,
            timestamp => '2026-01-01T00:00:00.000Z', metadata => {} }));
    $dbh->do(q{INSERT INTO automations (id, board_id, trigger, enc_body) VALUES (?, ?, 'card_moved', ?)}, undef, $f{auto}, $f{board}, envelope());
    # The move that fired it (what POST /automations/:auto/claims claims).
    $f{evt} = fresh_id();
    $dbh->do(q{INSERT INTO activity (id, workspace_id, board_id, verb, target_type, target_id) VALUES (?, ?, ?, 'CARD_MOVED', 'card', ?)},
        undef, $f{evt}, $f{ws}, $f{board}, $f{card});
    $dbh->do('INSERT INTO checklists (id, board_id, card_id, enc_title, position) VALUES (?, ?, ?, ?, ?)', undef,
        $f{list}, $f{board}, $f{card}, envelope(), 'a0');
    $dbh->do('INSERT INTO checklist_items (id, board_id, card_id, checklist_id, enc_text, position) VALUES (?, ?, ?, ?, ?, ?)',
        undef, $f{item}, $f{board}, $f{card}, $f{list}, envelope(), 'a0');
    # A card template; a custom field with a value on the card.
    $f{$_} = fresh_id() for qw(tpl field);
    $dbh->do('INSERT INTO card_templates (id, board_id, enc_body) VALUES (?, ?, ?)', undef, $f{tpl}, $f{board}, envelope());
    $dbh->do(q{INSERT INTO custom_fields (id, board_id, type, enc_name, position) VALUES (?, ?, 'text', ?, 'a0')}, undef,
        $f{field}, $f{board}, envelope());
    $dbh->do('INSERT INTO card_field_values (board_id, card_id, field_id, enc_value) VALUES (?, ?, ?, ?)', undef,
        $f{board}, $f{card}, $f{field}, envelope());
    $f{$_} = fresh_id() for qw(ms note);
    $dbh->do('INSERT INTO milestones (id, board_id, enc_name) VALUES (?, ?, ?)', undef, $f{ms}, $f{board}, envelope());
    $dbh->do(q{INSERT INTO notifications (id, user_id, workspace_id, board_id, card_id, verb, actor_id)
               VALUES (?, ?, ?, ?, ?, 'CARD_ASSIGNED', ?)}, undef, $f{note}, $extra->id, $f{ws}, $f{board}, $f{card}, $own->id);
    # An attachment with its file (X-Accel-Redirect sends it: nginx must find it).
    $f{att} = fresh_id();
    my $name = join '', map { sprintf '%x', rand 16 } 1 .. 32;
    $dbh->do(q{INSERT INTO attachments (id, workspace_id, board_id, card_id, uploader_id, enc_meta, size_bytes, storage_name)
               VALUES (?, ?, ?, ?, ?, ?, 100, ?)}, undef, $f{att}, $f{ws}, $f{board}, $f{card}, $own->id, envelope(), $name);
    open my $fh, '>', "$attachment_dir/$name" or die "$attachment_dir/$name: $!";
    print $fh 'x' x 100;
    close $fh;
    $f{extra} = $extra->id;
    # A security key of the workspace's owner: only they may remove it, and only with a
    # step-up factor (403 without one; t/22webauthn.t removes keys).
    $f{wakey} = fresh_id();
    $dbh->do(q{INSERT INTO webauthn_credentials (id, user_id, credential_id, public_key, cose_alg)
               VALUES (?, ?, ?, 'AAAA', -7)}, undef, $f{wakey}, $own->id, "matrix-$f{wakey}");
    return \%f;
}

my %bodies = (
    'POST /workspaces' => sub { { encName => envelope(), encWorkspaceKey => envelope(48) } },
    'PATCH /workspaces/:ws' => sub { { encName => envelope() } },
    'POST /workspaces/:ws/members' => sub { { userId => $invitee->id, encWorkspaceKey => MSKanban::Kanban::sealed_key(), role => 'member' } },
    'POST /workspaces/:ws/members/lookup' => sub { { email => $invitee->email } },
    'POST /workspaces/:ws/boards' => sub { { encName => envelope(), encBoardKey => envelope(48) } },
    'PATCH /boards/:board' => sub { { encName => envelope() } },
    'POST /boards/:board/columns' => sub { { encName => envelope() } },
    'PATCH /columns/:col' => sub { { wipLimit => 4 } },
    'POST /columns/:col/cards' => sub { { encTitle => envelope() } },
    'PATCH /cards/:card' => sub { my $f = shift; { archived => \1, customFields => { $f->{field} => envelope() } } },
    'POST /cards/:card/comments' => sub { { encBody => envelope() } },
    'PATCH /comments/:cmt' => sub { { encBody => envelope() } },
    'POST /cards/:card/checklists' => sub { { encTitle => envelope() } },
    'PATCH /checklists/:list' => sub { { encTitle => envelope() } },
    'POST /checklists/:list/items' => sub { { encText => envelope() } },
    'PATCH /checklist-items/:item' => sub { { done => \1 } },
    'POST /boards/:board/card-templates' => sub { { encBody => envelope() } },
    'POST /boards/:board/custom-fields' => sub { { type => 'text', encName => envelope() } },
    'PATCH /custom-fields/:field' => sub { { encName => envelope() } },
    'PATCH /cards/:card/move' => sub { my $f = shift; { toColumnId => $f->{empty} } },
    'POST /boards/:board/labels' => sub { { encName => envelope(), colour => 'teal' } },
    'POST /boards/:board/webhooks' => sub { { url => 'http://127.0.0.2:9/hook', events => ['X_NONE'] } },
    'PATCH /webhooks/:hook' => sub { { enabled => \0 } },
    'POST /boards/:board/automations' => sub { { trigger => 'card_created', encBody => envelope() } },
    'PATCH /automations/:auto' => sub { { enabled => \0 } },
    'POST /automations/:auto/claims' => sub { my $f = shift; { eventId => $f->{evt} } },
    'PATCH /labels/:label' => sub { { colour => '#00ff7f' } },
    'POST /cards/:card/labels' => sub { my $f = shift; { labelId => $f->{label} } },
    'DELETE /cards/:card/labels' => sub { my $f = shift; { labelId => $f->{label} } },
    'POST /cards/:card/assignments' => sub { my $f = shift; { userId => $f->{extra} } },
    'POST /boards/:board/milestones' => sub { { encName => envelope(), dueAt => '2027-01-01T00:00:00.000Z' } },
    'PATCH /milestones/:ms' => sub { { archived => \1 } },
    'PUT /cards/:card/milestone' => sub { my $f = shift; { milestoneId => $f->{ms} } },
    'POST /me/notifications/read' => sub { my $f = shift; { upTo => $f->{note} } },
    # A registration finish whose clientDataJSON names no challenge: 400 for everyone signed in.
    'POST /auth/webauthn/verify' => sub { { clientDataJSON => 'e30', attestationObject => 'oA' } },
    # Deleting the account is never a matrix cell: without authHash it is refused (400).
    'DELETE /me' => sub { {} },
    # Recovery is anonymous: the same answer for every caller (an unknown email each time,
    # so the per-account backoff never applies); PUT /me/recovery with a wrong authHash.
    'POST /auth/recovery/init' => sub { { email => $t->unique_email('matrix') } },
    'POST /auth/recovery' => sub {
        { email => $t->unique_email('matrix'), recoveryVerifier => random_b64(32), authHash => random_b64(32),
          kdfSalt => random_b64(16), authSalt => random_b64(16), encPrivateKey => envelope(), encSymmetricKey => envelope(),
          encRecoveryBlob => envelope(), encRecoveryPrivateKey => envelope(), newRecoveryVerifier => random_b64(32) }
    },
    'PUT /me/recovery' => sub {
        { authHash => random_b64(32), encRecoveryBlob => envelope(), encRecoveryPrivateKey => envelope(),
          recoveryVerifier => random_b64(32) }
    },
);

my @roles = ('anonymous', 'non-member', 'viewer', 'member', 'owner', 'foreign');
my (%got, $failures, $line_no);
for my $line (grep { /\S/ } split /\n/, $table) {
    my ($method, $pattern, @want) = split ' ', $line;
    ($owner, $member, $viewer, $outsider) = @{ $casts[ $line_no++ % @casts ] };
    my $key = "$method $pattern";
    for my $i (0 .. $#roles) {
        my $role = $roles[$i];
        # A fresh workspace where everyone has their role, and one owned by the outsider.
        my $mine = seed($owner, [$member, 'member'], [$viewer, 'viewer'], [$extra, 'member']);
        my $theirs = seed($outsider, [$extra, 'member']);
        my ($client, $f) = (
            $role eq 'anonymous' ? ($anon, $mine) :
            $role eq 'non-member' ? ($outsider, $mine) :
            $role eq 'viewer' ? ($viewer, $mine) :
            $role eq 'member' ? ($member, $mine) :
            $role eq 'owner' ? ($owner, $mine) : ($owner, $theirs));
        (my $path = $pattern) =~ s/:(\w+)/$f->{$1}/g;
        my $body = $bodies{$key} ? $bodies{$key}->($f) : undef;
        my $res = $key eq 'POST /cards/:card/attachments'
            ? $client->request($method, $path, 'x' x 100, { 'Content-Type' => 'application/octet-stream',
                'X-Attachment-Id' => fresh_id(), 'X-Attachment-Meta' => envelope() })
            : $client->request($method, $path, $body);
        $got{$key}[$i] = $res->{status};
        my $ok = is($res->{status}, $want[$i], "$key as $role");
        diag($res->{body}) unless $ok;
        $failures++ unless $ok;
        my @errors = $t->openapi_errors($res);
        ok(!@errors, "$key as $role: matches OpenAPI") or diag(join "\n", @errors);
        if ($res->{status} >= 400) {
            ok($res->{json} && $res->{json}{error}{code}, "$key as $role: error shape");
        }
    }
}

# Print the observed table when anything differs, to compare with the expected one.
if ($failures) {
    diag(sprintf "%-45s %s", 'observed', join ' ', map { sprintf '%-4s', substr $_, 0, 4 } @roles);
    for my $line (grep { /\S/ } split /\n/, $table) {
        my ($method, $pattern) = split ' ', $line;
        diag(sprintf "%-45s %s", "$method $pattern", join ' ', map { sprintf '%-4s', $_ // '-' } @{ $got{"$method $pattern"} });
    }
}

done_testing;
