# mskanban labels, assignments, milestones and notifications end to end (issue 10):
# alice labels a card and `board show` draws the label (in its colour only when
# asked: CLICOLOR_FORCE, never with NO_COLOR, never on a pipe); label names
# reach the database only as envelopes; alice assigns bob by email and bob's
# `notifications` shows who assigned him to which card, the title decrypted on
# his side; milestones set and clear. Every answer passes through the
# OpenAPI-checking proxy.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use Mojo::JSON qw(decode_json);
use MSKanban::Test;
use MSKanban::Proxy;
use MSKanban::Cli;

my $t = MSKanban::Test->new;
my $cli = MSKanban::Cli::binary($t);
my $proxy = MSKanban::Proxy->new($t);

my $dir = tempdir(CLEANUP => 1);
my $tag = 'tag' . join '', map { ('a' .. 'z')[ rand 26 ] } 1 .. 10;  # in every name; never in the database
sub person {
    my ($name) = @_;
    return { name => $name, email => MSKanban::Test->unique_email($name), password => "labels $name $$ " . rand(),
             state => "$dir/$name.json", ip => MSKanban::Test->next_ip, server => $proxy->url };
}
my $alice = person('alice');
my $bob = person('bob');

sub cli { my $who = shift; MSKanban::Cli::run($cli, $who, @_) }
sub cli_ok { my ($who, $name, @args) = @_; MSKanban::Cli::run_ok($cli, $who, "$who->{name}: $name", @args) }
sub json_ok { my $out = cli_ok(@_); my $j = eval { decode_json($out) }; ok($j, 'JSON answer') or diag($out); $j }

# Colour is decided by the environment: these tests set it themselves.
delete local $ENV{NO_COLOR};
delete local $ENV{CLICOLOR_FORCE};

cli_ok($alice, 'register', 'register', $alice->{email});
cli_ok($bob, 'register', 'register', $bob->{email});
my $ws = json_ok($alice, 'workspace create', '--json', 'workspace', 'create', "Team $tag");
my $board = json_ok($alice, 'board create', '--json', 'board', 'create', $ws->{id}, "Board $tag");
cli_ok($alice, 'invite bob', 'workspace', 'invite', $ws->{id}, $bob->{email});
my $card = json_ok($alice, 'card add', '--json', 'card', 'add', $board->{id}, 'To do', "Fix login $tag");

# --- labels ----------------------------------------------------------------------------
my $bug = json_ok($alice, 'label add', '--json', 'label', 'add', $board->{id}, "Bug $tag", '--colour', 'red');
like($bug->{id}, qr/^c[0-9a-z]{24}$/, 'the label id is chosen by the client');
my $later = json_ok($alice, 'label add #rrggbb', '--json', 'label', 'add', $board->{id}, "Later $tag", '--color', '#12AB56');
my $labels = json_ok($alice, 'label list', '--json', 'label', 'list', $board->{id});
is_deeply([ map { [ $_->{name}, $_->{colour} ] } @$labels ], [ [ "Bug $tag", 'red' ], [ "Later $tag", '#12ab56' ] ],
          'label list: decrypted names and their colours');
my ($rc, undef, $err) = cli($alice, 'label', 'add', $board->{id}, 'Nope', '--colour', 'chartreuse');
isnt($rc, 0, 'a colour outside the palette is refused');
my $stored = $t->dbh->selectall_arrayref('SELECT enc_name, colour FROM labels WHERE board_id = ? ORDER BY created_at',
                                         undef, $board->{id});
is(scalar @$stored, 2, 'two labels stored, the refused one not');
like($_->[0], qr/^v1\./, 'label name stored as an envelope') for @$stored;
ok(!(grep { index($_->[0], $tag) >= 0 } @$stored), 'no label name in the database');

cli_ok($alice, 'card label (by name)', 'card', 'label', $card->{id}, "bug $tag");
cli_ok($alice, 'card label again (idempotent)', 'card', 'label', $card->{id}, $bug->{id});
cli_ok($alice, 'card label (by id)', 'card', 'label', $card->{id}, $later->{id});
is($t->dbh->selectrow_array('SELECT count(*) FROM card_labels WHERE card_id = ?', undef, $card->{id}), 2,
   'two labels on the card');
($rc, undef, $err) = cli($alice, 'card', 'label', $card->{id}, 'no such label');
is($rc, 2, 'an unknown label name: exit 2');
like($err, qr/no label "no such label".*Bug \Q$tag\E/, '... listing the labels there are');

my $shown = json_ok($bob, 'board show --json', '--json', 'board', 'show', $board->{id});
my ($c) = map { @{ $_->{cards} } } @{ $shown->{columns} };
is_deeply([ sort @{ $c->{labels} } ], [ "Bug $tag", "Later $tag" ], 'bob sees the card\'s label names');
is_deeply([ sort @{ $c->{labelIds} } ], [ sort($bug->{id}, $later->{id}) ], '... and their ids');
is_deeply([ map { $_->{colour} } @{ $shown->{labels} } ], [ 'red', '#12ab56' ], 'the board lists its labels');

my $drawn = cli_ok($bob, 'board show', 'board', 'show', $board->{id}, '--width', '160');
like($drawn, qr/\[Bug \Q$tag\E\]/, 'board show draws the label');
unlike($drawn, qr/\e/, 'no colour on a pipe');
{
    local $ENV{CLICOLOR_FORCE} = '1';
    my $painted = cli_ok($bob, 'board show, colour forced', 'board', 'show', $board->{id}, '--width', '160');
    like($painted, qr/\e\[31m\[Bug \Q$tag\E\]\e\[0m/, 'CLICOLOR_FORCE: the label in red');
    like($painted, qr/\e\[38;5;\d+m\[Later \Q$tag\E\]\e\[0m/, '... #rrggbb from the 256 colours');
    local $ENV{NO_COLOR} = '1';
    my $plain = cli_ok($bob, 'board show, NO_COLOR', 'board', 'show', $board->{id}, '--width', '160');
    unlike($plain, qr/\e/, 'NO_COLOR wins over CLICOLOR_FORCE');
}

# A member can name a label anything: escape sequences in the name are shown, not obeyed,
# also when colours are on (the only ESC left is the colour's own SGR).
my $evil = json_ok($alice, 'label add (hostile name)', '--json', 'label', 'add', $board->{id}, "evil\e]0;owned\a\e[2J", '--colour', 'green');
cli_ok($alice, 'card label (hostile)', 'card', 'label', $card->{id}, $evil->{id});
{
    local $ENV{CLICOLOR_FORCE} = '1';
    my $painted = cli_ok($bob, 'board show, hostile label', 'board', 'show', $board->{id}, '--width', '200');
    like($painted, qr/\e\[32m\[evil\\x1b\]0;owned\\x/, 'the hostile name escaped, then painted (clipped to the column)');
    like($painted, qr/\e\[32m[^\e]*\e\[0m/, '... and its colour reset');
    (my $rest = $painted) =~ s/\e\[[0-9;]*m//g;
    unlike($rest, qr/[\x00-\x09\x0b-\x1f\x7f]/, 'no other control character reaches the terminal');
}
cli_ok($alice, 'label rm (hostile)', 'label', 'rm', $board->{id}, $evil->{id});

cli_ok($alice, 'label rename + recolour', 'label', 'rename', $board->{id}, "Bug $tag", "Defect $tag", '--colour', 'blue');
cli_ok($alice, 'card unlabel', 'card', 'unlabel', $card->{id}, "Later $tag");
cli_ok($alice, 'card unlabel again (idempotent)', 'card', 'unlabel', $card->{id}, "Later $tag");
$shown = json_ok($alice, 'board show --json', '--json', 'board', 'show', $board->{id});
($c) = map { @{ $_->{cards} } } @{ $shown->{columns} };
is_deeply($c->{labels}, [ "Defect $tag" ], 'renamed, and the other label is off');
cli_ok($alice, 'label rm', 'label', 'rm', $board->{id}, "Later $tag");
is_deeply([ map { $_->{name} } @{ json_ok($alice, 'label list', '--json', 'label', 'list', $board->{id}) } ], [ "Defect $tag" ],
          'the label is gone');

# --- an assignment, and the notification bob receives ------------------------------------------
cli_ok($alice, 'card assign bob (by email)', 'card', 'assign', $card->{id}, uc $bob->{email});
cli_ok($alice, 'card assign me', 'card', 'assign', $card->{id}, 'me');
($rc, undef, $err) = cli($alice, 'card', 'assign', $card->{id}, MSKanban::Test->unique_email('stranger'));
is($rc, 2, 'assigning someone who is not a member: exit 2');
like($err, qr/no member/, '... said so');
$shown = json_ok($alice, 'board show --json', '--json', 'board', 'show', $board->{id});
($c) = map { @{ $_->{cards} } } @{ $shown->{columns} };
is_deeply([ sort @{ $c->{assignees} } ], [ sort($alice->{email}, $bob->{email}) ], 'the card shows both assignees by email');
(my $bob_box = $bob->{email}) =~ s/\@.*//;
like(cli_ok($alice, 'board show', 'board', 'show', $board->{id}, '--width', '200'), qr/\@\Q$bob_box\E/,
     'the drawn board shows @bob');
my $one = json_ok($alice, 'card show --json', '--json', 'card', 'show', $card->{id});
is_deeply($one->{labels}, [ "Defect $tag" ], 'card show: the label by name');
is_deeply([ sort @{ $one->{assignees} } ], [ sort($alice->{email}, $bob->{email}) ], 'card show: the assignees');
like(cli_ok($alice, 'card show', 'card', 'show', $card->{id}), qr/assigned: .*\Q$bob->{email}\E/, 'card show lists them');

SKIP: {
    my $probe = $t->client->get('/me/notifications');
    skip 'no notifications in this server build', 16 if $probe->{status} == 404;
    my $n = json_ok($bob, 'notifications --json', '--json', 'notifications');
    my @mine = grep { $_->{cardId} eq $card->{id} } @{ $n->{notifications} };
    is(scalar @mine, 1, 'bob has one notification about the card');
    is($mine[0]{verb}, 'CARD_ASSIGNED', '... an assignment');
    is($mine[0]{actor}, $alice->{email}, '... by alice (her email, from the member list)');
    is($mine[0]{cardTitle}, "Fix login $tag", '... with the card title decrypted by bob');
    ok(!$mine[0]{read} && $n->{unread} >= 1, '... unread');
    like(cli_ok($bob, 'notifications', 'notifications'), qr/\Q$alice->{email}\E assigned you to "Fix login \Q$tag\E"/,
         'the listing says who assigned bob to what');
    cli_ok($bob, 'notifications read', 'notifications', 'read');
    is(json_ok($bob, 'notifications --unread', '--json', 'notifications', '--unread')->{unread}, 0, 'all read');
    my $own = json_ok($alice, 'notifications (alice)', '--json', 'notifications');
    ok(!(grep { $_->{cardId} eq $card->{id} } @{ $own->{notifications} }), 'assigning herself notified nobody');
}
cli_ok($alice, 'card unassign', 'card', 'unassign', $card->{id}, $bob->{email});
is($t->dbh->selectrow_array('SELECT count(*) FROM card_assignees WHERE card_id = ?', undef, $card->{id}), 1,
   'only alice is still assigned');

# --- milestones --------------------------------------------------------------------------------
SKIP: {
    my $probe = $t->client->get("/boards/$board->{id}/milestones");
    skip 'no milestones in this server build', 17 if $probe->{status} == 404;
    my $ms = json_ok($alice, 'milestone add', '--json', 'milestone', 'add', $board->{id}, "v1 $tag", '--due', '2026-06-01');
    my $list = json_ok($alice, 'milestone list', '--json', 'milestone', 'list', $board->{id});
    is_deeply([ map { [ $_->{name}, substr($_->{dueAt}, 0, 10) ] } @$list ], [ [ "v1 $tag", '2026-06-01' ] ], 'milestone list');
    ok(!(grep { index($_, $tag) >= 0 }
         @{ $t->dbh->selectcol_arrayref('SELECT enc_name FROM milestones WHERE board_id = ?', undef, $board->{id}) }),
       'no milestone name in the database');
    cli_ok($alice, 'card milestone', 'card', 'milestone', $card->{id}, "v1 $tag");
    $shown = json_ok($bob, 'board show --json', '--json', 'board', 'show', $board->{id});
    ($c) = map { @{ $_->{cards} } } @{ $shown->{columns} };
    is($c->{milestone}, "v1 $tag", 'bob sees the card\'s milestone');
    like(cli_ok($bob, 'board show', 'board', 'show', $board->{id}, '--width', '160'), qr/\x{e2}\x{97}\x{86} v1 \Q$tag\E/,
         'the drawn board shows it');
    cli_ok($alice, 'card milestone --none', 'card', 'milestone', $card->{id}, '--none');
    ($c) = map { @{ $_->{cards} } } @{ json_ok($alice, 'board show', '--json', 'board', 'show', $board->{id})->{columns} };
    is($c->{milestoneId}, undef, 'cleared');
    cli_ok($alice, 'milestone rm', 'milestone', 'rm', $board->{id}, $ms->{id});
}

done_testing;
