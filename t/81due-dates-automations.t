# Due dates: the stack's mskanban-jobs emits CARD_DUE_REACHED (activity row, board feed,
# webhook delivery) once per card when its dueAt passes, for a date already past when it
# was set too, and again only after the due date changes. Automations: CRUD with a
# ciphertext body, whitelisted plaintext trigger and metadata; bad input stores nothing;
# viewers read, members change, non-members get 404.
use strict;
use warnings;
use Test::More;
use Time::HiRes qw(time sleep);
use POSIX qw(strftime);
use Mojo::JSON qw(decode_json true false);
use MSKanban::Test;
use MSKanban::Kanban;
use MSKanban::Receiver;

my $t = MSKanban::Test->new;
my $k = MSKanban::Kanban->new($t);
my ($alice, $bob, $vera, $mallory) = ($t->user, $t->user, $t->user, $t->user);
my $anon = $t->client;
my $dbh = $t->dbh;
my $ws = $k->workspace($alice)->{id};
$k->invite($alice, $ws, $bob, 'member');
$k->invite($alice, $ws, $vera, 'viewer');
my $b = $k->board($alice, $ws)->{id};
my $col = $k->column($alice, $b)->{id};

sub iso_in { my $s = shift; my $t = time + $s; strftime('%Y-%m-%dT%H:%M:%S', gmtime $t) . sprintf('.%03dZ', ($t - int $t) * 1000) }
my $reached = sub { $t->count_rows(q{SELECT 1 FROM activity WHERE target_id = ? AND verb = 'CARD_DUE_REACHED'}, $_[0]) };
my $wait_reached = sub {
    my ($card, $n, $timeout) = @_;
    my $deadline = time + ($timeout // 10);
    sleep 0.05 while $reached->($card) < $n && time < $deadline;
    return $reached->($card);
};

# --- due dates -------------------------------------------------------------------------
my $rx = MSKanban::Receiver->new(host => '127.0.0.2');
$alice->post("/boards/$b/webhooks", { url => $rx->url, events => ['CARD_DUE_REACHED'] });
my $card = $k->card($alice, $col, dueAt => iso_in(1.5))->{id};
my $past = $k->card($alice, $col, dueAt => iso_in(-3600))->{id};
my $none = $k->card($alice, $col)->{id};
is($reached->($card), 0, 'not before the due date');
is($wait_reached->($past, 1), 1, 'a due date already past when set is announced');
is($wait_reached->($card, 1), 1, 'announced when the due date passes');
sleep 1.5;
is($reached->($card), 1, 'once');
is($reached->($none), 0, 'a card without a due date never');
my $feed = $alice->get("/boards/$b/activity");
$t->ok_status($feed, 200, 'the feed lists it');
my ($ev) = grep { $_->{verb} eq 'CARD_DUE_REACHED' && $_->{targetId} eq $card } @{ $feed->{json}{activity} };
ok($ev, 'as CARD_DUE_REACHED on the card');
ok($ev->{meta}{dueAt}, 'with the due date');
is($rx->wait_for(2), 2, 'a webhook delivery for each');
my ($body) = grep { $_->{cardId} eq $card } map { decode_json($_->{body}) } @{ $rx->requests };
is($body->{verb}, 'CARD_DUE_REACHED', 'delivered verb');
is($body->{actorId}, undef, 'no actor: the runner emitted it');

$t->ok_status($alice->patch("/cards/$card", { encTitle => envelope() }), 200, 'edit the title');
sleep 1.2;
is($reached->($card), 1, 'another change does not announce it again');
$t->ok_status($alice->patch("/cards/$card", { dueAt => iso_in(0.5) }), 200, 'a new due date');
is($wait_reached->($card, 2), 2, 'announced again for the new date');
sleep 1.2;
is($reached->($card), 2, 'and only once');

# --- automations -------------------------------------------------------------------------
my $count = sub { $t->count_rows('SELECT 1 FROM automations WHERE board_id = ?', $b) };
my $body_ct = envelope(200);
my $r = $bob->post("/boards/$b/automations", { trigger => 'card_moved', triggerMeta => { toColumnId => $col }, encBody => $body_ct });
$t->ok_status($r, 201, 'a member adds an automation');
my $auto = $r->{json}{automation};
is($auto->{trigger}, 'card_moved', 'trigger');
is_deeply($auto->{triggerMeta}, { toColumnId => $col }, 'whitelisted metadata');
is($auto->{encBody}, $body_ct, 'body stored unchanged');
ok($auto->{enabled}, 'enabled');
is($t->count_rows(q{SELECT 1 FROM activity WHERE target_id = ? AND verb = 'AUTOMATION_CREATED'}, $auto->{id}), 1, 'an activity row');

my $before = $count->();
for my $case (
    [{ encBody => envelope() }, 'no trigger'], [{ trigger => 'card_moved' }, 'no body'],
    [{ trigger => 'card_exploded', encBody => envelope() }, 'unknown trigger'],
    [{ trigger => 'card_moved', encBody => 'plain text' }, 'plaintext body'],
    [{ trigger => 'card_moved', triggerMeta => { columnName => 'Done' }, encBody => envelope() }, 'metadata key not whitelisted'],
    [{ trigger => 'comment_added', triggerMeta => { labelId => $col }, encBody => envelope() }, 'metadata of another trigger'],
    [{ trigger => 'card_moved', triggerMeta => { toColumnId => 'Not An Id' }, encBody => envelope() }, 'metadata not an id'],
    [{ trigger => 'card_moved', triggerMeta => [], encBody => envelope() }, 'metadata not an object'],
    [{ trigger => 'card_moved', encBody => envelope(), enabled => 'no' }, 'enabled not a boolean'],
) {
    $t->error_is($bob->post("/boards/$b/automations", $case->[0]), 400, 'BAD_REQUEST', "create automation: $case->[1]");
}
$t->error_is($vera->post("/boards/$b/automations", { trigger => 'card_created', encBody => envelope() }), 403, 'FORBIDDEN', 'a viewer cannot add');
$t->error_is($mallory->post("/boards/$b/automations", { trigger => 'card_created', encBody => envelope() }), 404, 'NOT_FOUND', 'non-member: 404');
$t->error_is($anon->get("/boards/$b/automations"), 401, 'UNAUTHORIZED', 'no session: 401');
is($count->(), $before, 'refused input stored nothing');

$r = $vera->get("/boards/$b/automations");
$t->ok_status($r, 200, 'a viewer lists them (clients run them)');
is(scalar @{ $r->{json}{automations} }, 1, 'one');
$t->error_is($mallory->get("/boards/$b/automations"), 404, 'NOT_FOUND', 'non-member list: 404');

$t->error_is($bob->patch("/automations/$auto->{id}", { triggerMeta => { labelId => $col } }), 400, 'BAD_REQUEST', 'metadata the current trigger does not take');
$r = $bob->patch("/automations/$auto->{id}", { trigger => 'card_label_added', triggerMeta => { labelId => $col } });
$t->ok_status($r, 200, 'change the trigger with its metadata');
is_deeply($r->{json}{automation}{triggerMeta}, { labelId => $col }, 'metadata replaced');
$r = $bob->patch("/automations/$auto->{id}", { trigger => 'comment_added' });
is_deeply($r->{json}{automation}{triggerMeta}, {}, 'a new trigger without metadata clears it');
$r = $bob->patch("/automations/$auto->{id}", { enabled => false });
ok(!$r->{json}{automation}{enabled}, 'disabled');
$t->error_is($bob->patch("/automations/$auto->{id}", {}), 400, 'BAD_REQUEST', 'patch: nothing to change');
$t->error_is($vera->patch("/automations/$auto->{id}", { enabled => true }), 403, 'FORBIDDEN', 'a viewer cannot change');
$t->error_is($vera->delete("/automations/$auto->{id}"), 403, 'FORBIDDEN', 'nor delete');
$t->ok_status($alice->delete("/automations/$auto->{id}"), 204, 'the owner deletes it');
$t->error_is($alice->delete("/automations/$auto->{id}"), 404, 'NOT_FOUND', 'gone');

$rx->stop;
done_testing;
