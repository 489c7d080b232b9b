# The CLI's card parts end to end (issue 11, client): alice writes a comment that
# mentions bob by @email, a checklist with a checked item, custom fields of every type
# and a card template; bob, another member, reads all of it back through `card show`
# (text and --json). The database holds only envelopes and the mention as bob's id;
# values that do not fit their field's type are refused before anything is sent.
# Every answer passes through the OpenAPI-checking proxy.
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
my $tag = 'tag' . join '', map { ('a' .. 'z')[ rand 26 ] } 1 .. 10;  # in every plaintext; never in the database

sub person {
    my ($name) = @_;
    return { name => $name, email => MSKanban::Test->unique_email("cards-$name"), password => "cards $name $$ " . rand(),
             state => "$dir/$name.json", ip => MSKanban::Test->next_ip, server => $proxy->url };
}
my ($alice, $bob, $eve) = map { person($_) } qw(alice bob eve);
sub run { my $who = shift; MSKanban::Cli::run($cli, $who, @_) }
sub run_ok { my ($who, $name) = (shift, shift); MSKanban::Cli::run_ok($cli, $who, "$who->{name}: $name", @_) }
sub json_ok { my $out = run_ok(@_); my $j = eval { decode_json($out) }; ok($j, 'JSON answer') or diag($out); $j }

run_ok($_, 'registers', 'register', $_->{email}) for $alice, $bob, $eve;
my $ws = json_ok($alice, 'workspace create', '--json', 'workspace', 'create', "Team $tag");
run_ok($alice, 'invites bob', 'workspace', 'invite', $ws->{id}, $bob->{email});
my $board = json_ok($alice, 'board create', '--json', 'board', 'create', $ws->{id}, "Board $tag");
my $col = $board->{columnIds}[0];
my $card = json_ok($alice, 'card add', '--json', 'card', 'add', $board->{id}, $col, "Launch $tag")->{id};
my $bob_id = $t->dbh->selectrow_array('SELECT id FROM users WHERE email = ?', undef, lc $bob->{email});

# --- a comment with a mention --------------------------------------------------------------
my $text = "\@$bob->{email} please review $tag";
my $comment = json_ok($alice, 'comment with a mention', '--json', 'comment', 'add', $card, $text)->{id};
is_deeply($t->dbh->selectcol_arrayref('SELECT user_id FROM comment_mentions WHERE comment_id = ?', undef, $comment),
          [$bob_id], 'the mention is stored as bob\'s user id');
my ($rc, $out, $err) = run($alice, 'comment', 'add', $card, "hi \@$eve->{email} $tag");
is($rc, 2, 'mentioning someone outside the workspace is refused (usage)');
like($err, qr/not a member/, 'and says why');
is($t->dbh->selectrow_array('SELECT count(*) FROM comments WHERE card_id = ?', undef, $card), 1, 'nothing stored');
($rc) = run($bob, 'comment', 'edit', $card, $comment, "bob rewrites $tag");
is($rc, 1, 'only the author edits a comment (bob gets the server\'s 403)');

# --- a checklist ---------------------------------------------------------------------------
my $cl = json_ok($alice, 'checklist add', '--json', 'checklist', 'add', $card, "Ship $tag")->{id};
my @items = map { json_ok($alice, "item add $_", '--json', 'item', 'add', $card, "Ship $tag", "step $_ $tag")->{id} } 1 .. 3;
run_ok($alice, 'item check', 'item', 'check', $items[1]);
run_ok($alice, 'item check then uncheck', 'item', 'check', $items[2]);
run_ok($alice, 'item uncheck', 'item', 'uncheck', $items[2]);
is_deeply($t->dbh->selectcol_arrayref('SELECT done FROM checklist_items WHERE checklist_id = ? ORDER BY position', undef, $cl),
          [0, 1, 0], 'done flags are plaintext, in order');

# --- custom fields (when the server has them) ----------------------------------------------
my ($frc, undef, $ferr) = run($alice, 'field', 'list', $board->{id});
my $have_fields = $frc == 0;
my %fields;
SKIP: {
    skip "the server has no custom fields yet ($ferr)", 1 unless $have_fields;
    my %types = (Priority => [dropdown => '--options', "Low,High $tag"], Due => ['date'], Shipped => ['checkbox'],
                 Estimate => ['number'], Spec => ['url'], Note => ['text']);
    for my $name (sort keys %types) {
        my ($type, @opt) = @{ $types{$name} };
        $fields{$name} = json_ok($alice, "field add $name", '--json', 'field', 'add', $board->{id}, "$name $tag", $type, @opt)->{id};
    }
    for my $bad (['Due', '2026-02-30'], ['Shipped', 'maybe'], ['Estimate', '12h'], ['Spec', 'javascript:alert(1)'],
                 ['Priority', 'Medium']) {
        my ($brc, undef, $berr) = run($alice, 'card', 'set', $card, "$bad->[0] $tag", $bad->[1]);
        is($brc, 2, "card set $bad->[0] '$bad->[1]' is refused on the client") or diag($berr);
    }
    is($t->dbh->selectrow_array('SELECT count(*) FROM card_field_values WHERE card_id = ?', undef, $card), 0,
       'nothing stored for the refused values');
    run_ok($alice, "card set $_->[0]", 'card', 'set', $card, "$_->[0] $tag", $_->[1])
        for ['Due', '2026-06-01'], ['Shipped', 'yes'], ['Estimate', '-2.5'], ['Spec', "https://example.org/$tag"],
            ['Priority', "high $tag"], ['Note', "note $tag"];
    run_ok($alice, 'card set --clear', 'card', 'set', $card, "Note $tag", '--clear');
    is($t->dbh->selectrow_array('SELECT count(*) FROM card_field_values WHERE card_id = ?', undef, $card), 5,
       'five values stored, the cleared one gone');
}

# --- bob reads it all back through card show -------------------------------------------------
my $shown = json_ok($bob, 'card show --json', '--json', 'card', 'show', $card);
is($shown->{title}, "Launch $tag", 'bob decrypts the title');
is(scalar @{ $shown->{comments} }, 1, 'one comment');
is($shown->{comments}[0]{text}, $text, 'bob reads the comment');
is($shown->{comments}[0]{authorEmail}, lc $alice->{email}, 'written by alice');
is_deeply($shown->{comments}[0]{mentions}, [$bob_id], 'mentioning bob');
is_deeply($shown->{checklist}, { done => 1, total => 3 }, 'checklist progress');
is($shown->{checklists}[0]{title}, "Ship $tag", 'checklist title');
is_deeply([ map { [ $_->{text}, $_->{done} ? 1 : 0 ] } @{ $shown->{checklists}[0]{items} } ],
          [ [ "step 1 $tag", 0 ], [ "step 2 $tag", 1 ], [ "step 3 $tag", 0 ] ], 'items in order with their done flags');
if ($have_fields) {
    my %got = map { ($_->{name} => [ $_->{type}, $_->{value} ]) } @{ $shown->{customFields} };
    is_deeply(\%got, { "Due $tag" => [ date => '2026-06-01' ], "Shipped $tag" => [ checkbox => 'true' ],
                       "Estimate $tag" => [ number => '-2.5' ], "Spec $tag" => [ url => "https://example.org/$tag" ],
                       "Priority $tag" => [ dropdown => "High $tag" ] }, 'every field value, typed, exactly');
}
my $plain = run_ok($bob, 'card show', 'card', 'show', $card);
like($plain, qr/checklists: 1\/3 done/, 'text: overall progress');
like($plain, qr/^\s+Ship \Q$tag\E \(1\/3\)/m, 'text: the checklist with its progress');
like($plain, qr/^\s+\[x\] step 2 \Q$tag\E/m, 'text: a checked item as [x]');
like($plain, qr/^\s+\[ \] step 1 \Q$tag\E/m, 'text: an open item as [ ]');
like($plain, qr/^\s+\Q@{[lc $alice->{email}]}\E\s/m, 'text: the comment\'s author by email');
like($plain, qr/^\s+mentions: \Q@{[lc $bob->{email}]}\E$/m, 'text: who it mentions');
like($plain, qr/^\s{8}\Q$text\E$/m, 'text: the comment, indented');
if ($have_fields) {
    like($plain, qr/^\s+Shipped \Q$tag\E: \[x\]$/m, 'text: a checkbox as [x]');
    like($plain, qr/^\s+Due \Q$tag\E: 2026-06-01$/m, 'text: a date as a date');
    like($plain, qr/^\s+Priority \Q$tag\E: High \Q$tag\E$/m, 'text: the dropdown option');
}

# --- edit and delete -----------------------------------------------------------------------
run_ok($alice, 'comment edit', 'comment', 'edit', $card, $comment, "edited $tag, no mention");
my $list = json_ok($bob, 'comment list', '--json', 'comment', 'list', $card);
is($list->[0]{text}, "edited $tag, no mention", 'bob reads the edit');
is_deeply($list->[0]{mentions}, [], 'the mention went with the text');
run_ok($alice, 'item rm', 'item', 'rm', $items[0]);
my $lists = json_ok($bob, 'checklist list', '--json', 'checklist', 'list', $card);
is_deeply([ map { $_->{id} } @{ $lists->[0]{items} } ], [ @items[1, 2] ], 'the item is gone');

# --- a template, applied -------------------------------------------------------------------
my ($trc, undef, $terr) = run($alice, 'template', 'list', $board->{id});
SKIP: {
    skip "the server has no card templates yet ($terr)", 1 unless $trc == 0;
    my $label = json_ok($alice, 'label add', '--json', 'label', 'add', $board->{id}, "L $tag")->{id};
    run_ok($alice, 'card label', 'card', 'label', $card, "L $tag");
    my $tpl = json_ok($alice, 'template save', '--json', 'template', 'save', $card, '--name', "Tpl $tag")->{id};
    my $tpls = json_ok($bob, 'template list', '--json', 'template', 'list', $board->{id});
    is($tpls->[0]{name}, "Tpl $tag", 'bob reads the template');
    is_deeply($tpls->[0]{checklists}, [ { title => "Ship $tag", items => [ "step 2 $tag", "step 3 $tag" ] } ], 'with its checklist');
    is_deeply($tpls->[0]{labelIds}, [$label], 'and its label');
    my $made = json_ok($bob, 'template apply', '--json', 'template', 'apply', $board->{id}, "Tpl $tag", $col, '--title', "From $tag")->{id};
    my $new = json_ok($alice, 'card show of the applied card', '--json', 'card', 'show', $made);
    is($new->{title}, "From $tag", 'the new card');
    is_deeply([ map { $_->{text} } @{ $new->{checklists}[0]{items} } ], [ "step 2 $tag", "step 3 $tag" ], 'its items');
    is_deeply($new->{checklist}, { done => 0, total => 2 }, 'all open');
    is_deeply($new->{labelIds}, [$label], 'the label is on it');
    run_ok($alice, 'template rm', 'template', 'rm', $tpl);
}

run_ok($alice, 'checklist rm', 'checklist', 'rm', $cl);
run_ok($alice, 'comment rm', 'comment', 'rm', $comment);
$shown = json_ok($bob, 'card show after deletes', '--json', 'card', 'show', $card);
is_deeply([ scalar @{ $shown->{comments} }, scalar @{ $shown->{checklists} } ], [0, 0], 'no comment, no checklist left');

# --- hostile text stays on its line ---------------------------------------------------------
my $evil = "x\e]0;owned\a\e[2J\r\n    [x] forged $tag\x{202e}";
utf8::encode($evil);
my $card2 = json_ok($alice, 'second card', '--json', 'card', 'add', $board->{id}, $col, "Second $tag")->{id};
run_ok($alice, 'hostile checklist title', 'checklist', 'add', $card2, $evil);
my $hcl = json_ok($alice, 'checklist list', '--json', 'checklist', 'list', $card2)->[0]{id};
run_ok($alice, 'hostile item', 'item', 'add', $card2, $hcl, $evil);
run_ok($alice, 'hostile comment', 'comment', 'add', $card2, $evil);
$plain = run_ok($bob, 'card show of hostile text', 'card', 'show', $card2);
unlike($plain, qr/[\x00-\x08\x0b-\x1f\x7f]/, 'no raw control character reaches the terminal');
unlike($plain, qr/\xe2\x80\xae/, 'no raw bidi override');
# Titles and items are one line each; a comment keeps its line breaks, but every line of it
# is indented past the comment headers (8 spaces), so none can pass for an item (6).
unlike($plain, qr/^ {0,7}\S*\[x\] forged/m, 'no forged checklist line');
like($plain, qr/^ {12}\[x\] forged/m, 'the comment\'s second line, indented as comment text');
is(() = $plain =~ /\\x1b\]0;owned/g, 3, 'title, item and comment each shown escaped');
my $exact = json_ok($bob, 'card show --json of hostile text', '--json', 'card', 'show', $card2);
my @back = ($exact->{checklists}[0]{title}, $exact->{checklists}[0]{items}[0]{text}, $exact->{comments}[0]{text});
utf8::encode($_) for @back;
is_deeply(\@back, [ ($evil) x 3 ], '--json gives the exact text back');

# --- only envelopes in the database ----------------------------------------------------------
for my $table (qw(comments checklists checklist_items card_templates custom_fields card_field_values)) {
    my $exists = $t->dbh->selectrow_array('SELECT to_regclass(?)', undef, $table);
    next unless $exists;
    my $rows = $t->dbh->selectall_arrayref("SELECT * FROM $table WHERE board_id = ?", undef, $board->{id});
    ok(!(grep { defined && /\Q$tag\E/ } map { @$_ } @$rows), "no plaintext in $table");
}

done_testing;
