# What the mskanban CLI prints when a member encrypts hostile text (issue 18).
# Cards are written straight through the API with envelopes made by the
# independent JS implementation (t/js/seal-text.mjs), so the plaintext can hold
# what the CLI would never write itself: escape sequences, OSC titles, BEL, CR,
# NUL, DEL, C1 controls, bidi overrides, a newline that draws a forged card
# with another card's id, and bytes that are not UTF-8. Then `board show`,
# `card show`, the lists and `activity` must print no raw control or bidi
# character and no forged line; `--json` must give the exact text back; a
# plaintext that is not UTF-8 is a decryption failure (exit 6), never a
# silently missing key. Also: an empty description is null, and the CLI can
# clear one.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use Mojo::JSON qw(decode_json encode_json);
use MSKanban::Test;
use MSKanban::Proxy;
use MSKanban::Cli;

my $t = MSKanban::Test->new;
my $cli = MSKanban::Cli::binary($t);
my $seal = $t->src . '/t/js/seal-text.mjs';
plan skip_all => 'node or t/js/node_modules missing'
    unless system('node --version >/dev/null 2>&1') == 0 && -d $t->src . '/t/js/node_modules/libsodium-wrappers-sumo';
plan skip_all => 'the kanban API (/workspaces) is not in this build' if $t->client->get('/workspaces')->{status} == 404;
# The CLI talks to the stack through a proxy that checks every answer against OpenAPI.
my $proxy = MSKanban::Proxy->new($t);

my $dir = tempdir(CLEANUP => 1);
my $ip = MSKanban::Test->next_ip;
my $me = { email => MSKanban::Test->unique_email('render'), password => "render test $$ " . rand(), state => "$dir/s.json" };

# Runs the CLI; everything stays bytes. Returns (exit, stdout, stderr).
sub cli {
    return MSKanban::Cli::run($cli, { %$me, ip => $ip, server => $proxy->url }, @_);
}

sub cli_ok { MSKanban::Cli::run_ok($cli, { %$me, ip => $ip, server => $proxy->url }, @_) }

# Bytes a terminal acts on: C0 but TAB and LF, DEL, C1 (as UTF-8), bidi
# controls and the line/paragraph separators (as UTF-8).
my $ACTIVE = qr/[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\x8e\x8f\xa8-\xae]|\xe2\x81[\xa6-\xa9]|\xd8\x9c/;
sub no_active {
    my ($text, $name, %opt) = @_;
    my $bad = $text;
    $bad =~ s/\t//g if $opt{tabs_ok};
    if ($bad =~ $ACTIVE) {
        my $at = $-[0];
        fail("$name: no raw control or bidi character");
        diag('found ' . unpack('H*', substr($bad, $at, 4)) . ' near "' . substr($bad, $at > 20 ? $at - 20 : 0, 40) . '"');
        return;
    }
    $bad =~ /\t/ ? fail("$name: no raw TAB") : pass("$name: no raw control or bidi character");
}

sub new_id { 'c' . join '', map { (0 .. 9, 'a' .. 'z')[ rand 36 ] } 1 .. 24 }

# --- an account, a workspace and a board, made by the CLI (names hostile too) ----
cli_ok('register', 'register', $me->{email});
my $ws = decode_json(cli_ok('workspace create', '--json', 'workspace', 'create', "Team \e]0;pwned\a\xe2\x80\xae"));
my $board = decode_json(cli_ok('board create', '--json', 'board', 'create', $ws->{id}, "Board \e[5m\rblink"));
my $todo = $board->{columnIds}[0];

my $state = decode_json(do { open my $fh, '<', $me->{state} or die $!; local $/; <$fh> });
my $api = $t->client(ip => $ip);
my %auth = (Cookie => "mskanban_session=$state->{sessionToken}");
my $wsr = $api->get("/workspaces/$ws->{id}", undef, \%auth)->{json};
my $wso = $wsr->{workspace} // $wsr;
my $br = $api->get("/boards/$board->{id}", undef, \%auth)->{json};
my $bo = $br->{board} // $br;
ok($wso->{encWorkspaceKey} && $bo->{encBoardKey}, 'wrapped keys fetched for the JS encrypter');

# Envelopes of raw bytes under the board key, bound to card:<id>.
sub envelopes {
    my (@fields) = @_;  # [card id, bytes] ...
    my $req = encode_json({ usk => $state->{userSymmetricKey}, wsId => $ws->{id}, encWorkspaceKey => $wso->{encWorkspaceKey},
                            boardId => $board->{id}, encBoardKey => $bo->{encBoardKey},
                            fields => [ map { { aad => "card:$_->[0]", hex => unpack('H*', $_->[1]) } } @fields ] });
    my $file = "$dir/req.json";
    open my $fh, '>', $file or die $!;
    print $fh $req;
    close $fh;
    my $out = `node '$seal' < '$file'`;
    die "seal-text.mjs failed: $out" if $?;
    return @{ decode_json($out)->{envelopes} };
}

sub add_card {
    my ($title, $description) = @_;
    my $id = new_id();
    my @env = envelopes([ $id, $title ], defined $description ? ([ $id, $description ]) : ());
    my $r = $api->post("/columns/$todo/cards", { id => $id, encTitle => $env[0], defined $description ? (encDescription => $env[1]) : () },
                       \%auth);
    is($r->{status}, 201, 'card created through the API') or diag($r->{body});
    return $id;
}

# --- hostile cards ----------------------------------------------------------------------
my %title = (
    clear => "Clear \e[2J\e[H screen",
    osc => "Window \e]0;owned\a title",
    bell => "Bell \a\a ring",
    cr => "Innocent\rEVIL overwrite",
    nul => "Nul \0 byte",
    del => "Del \x7f char",
    c1 => "C1 \xc2\x9b" . "31m red",
    rlo => "Invoice \xe2\x80\xae" . "fdp.exe",
    bidi => "Iso \xe2\x81\xa6x\xe2\x81\xa9 marks \xe2\x80\x8f\xe2\x80\x8e\xd8\x9c sep \xe2\x80\xa8",
);
my %id;
$id{$_} = add_card($title{$_}) for sort keys %title;
# A newline draws a forged card carrying another card's real id.
$title{forged} = "Real title\n\xe2\x80\xa2 Forged card\n  $id{clear}";
my $description = "Line one\n\e[31mred\e[0m\r\n\tindented \xe2\x80\xae three\x07";
$id{forged} = add_card($title{forged}, $description);

my ($rc, $out, $err) = cli('board', 'show', $board->{id}, '--width', '30');  # one column per band: simple lines
is($rc, 0, 'board show: exit 0') or diag($err);
no_active($out . $err, 'board show');
my ($esc, $rlo) = ('\x1b[2J\x1b[H', '\u202e');  # the visible escapes, literally
like($out, qr/\Q$esc\E/, 'board show: ESC shown as \x1b');
like($out, qr/\Q$rlo\E/, 'board show: RLO shown as \u202e');
like($out, qr/Nul \\x00 byte/, 'board show: NUL shown as \x00');
like($out, qr/Board \\x1b\[5m\\x0dblink/, 'board show: board name escaped');
my @blocks = split /\n\n/, $out;
my @cards = grep { /^\xe2\x80\xa2 /m } @blocks;
is(scalar(() = $out =~ /^\xe2\x80\xa2 /mg), scalar(keys %title), 'board show: one bullet per card, none forged');
is_deeply([ sort map { (split /\n/)[-1] } @cards ], [ sort map { "  $_" } values %id ],
          'board show: every card block ends with its own real id');
is(scalar(() = $out =~ /^  \Q$id{clear}\E$/mg), 2, "board show: the other card's id only as the wrapped title text and its own line")
    or diag($out);
like($out, qr/^\xe2\x80\xa2 Real title\\x0a\xe2\x80\xa2 Forged/m, 'board show: the forged line stays inside its title');

for my $k (sort keys %id) {
    ($rc, $out, $err) = cli('card', 'show', $id{$k});
    is($rc, 0, "card show $k: exit 0") or diag($err);
    no_active($out . $err, "card show $k", tabs_ok => 1);
}
($rc, $out) = cli('card', 'show', $id{forged});
my @lines = split /\n/, $out;
is($lines[0], "Real title\\x0a\xe2\x80\xa2 Forged card\\x0a  $id{clear}", 'card show: the title is one line');
like($out, qr/\n  description:\n    Line one\n    \\x1b\[31mred\\x1b\[0m\\x0d\n    \tindented \\u202e three\\x07\n\z/,
     'card show: description lines kept, each indented, controls escaped');

($rc, $out, $err) = cli('--json', 'board', 'show', $board->{id});
is($rc, 0, 'board show --json: exit 0');
no_active($out, 'board show --json');
my $j = decode_json($out);
my %got = map { $_->{id} => $_->{title} } map { @{ $_->{cards} } } @{ $j->{columns} };
my %want = map { $id{$_} => $title{$_} } keys %id;
utf8::encode($_) for values %got;  # decode_json gives characters; the plaintexts here are bytes
is_deeply(\%got, \%want, 'board show --json: every title exact (NUL, ESC, bidi included)');
($rc, $out) = cli('--json', 'card', 'show', $id{forged});
my $cj = decode_json($out);
utf8::encode($cj->{description});
is($cj->{description}, $description, 'card show --json: the description exact');

for my $cmd ([ 'workspace', 'list' ], [ 'board', 'list', $ws->{id} ], [ 'activity', $board->{id} ]) {
    ($rc, $out, $err) = cli(@$cmd);
    is($rc, 0, "@$cmd: exit 0") or diag($err);
    no_active($out . $err, "@$cmd");
}
($rc, $out) = cli('workspace', 'list');
like($out, qr/Team \\x1b\]0;pwned\\x07\\u202e/, 'workspace list: the name escaped');
($rc, undef, $err) = cli('card', 'add', $board->{id}, "no such \e[2J column", 'x');
is($rc, 2, 'an error quoting a hostile name: exit 2');
no_active($err, 'an error quoting a hostile name');

# --- plaintext that is not UTF-8 --------------------------------------------------------
my $bad = add_card("ok \xff\xfe \xc0\xaf");
($rc, $out, $err) = cli('--json', 'card', 'show', $bad);
is($rc, 6, 'not UTF-8: card show --json exits 6');
like($err, qr/card \Q$bad\E title: decrypted text is not valid UTF-8/, 'not UTF-8: the field is named');
my $bj = eval { decode_json($out) };
is($bj && $bj->{title}, '[cannot decrypt]', 'not UTF-8: --json keeps the key, marked');
($rc, $out, $err) = cli('board', 'show', $board->{id}, '--width', '30');
is($rc, 6, 'not UTF-8: board show exits 6');
like($out, qr/\[cannot decrypt\]/, 'not UTF-8: drawn as [cannot decrypt]');
no_active($out . $err, 'not UTF-8: board show');
cli_ok('remove the bad card', 'card', 'rm', $bad);
my $before = $t->dbh->selectrow_array('SELECT count(*) FROM cards WHERE board_id = ?', undef, $board->{id});
($rc, undef, $err) = cli('card', 'add', $board->{id}, 'To do', "bad \xff title");
is($rc, 2, 'a title argument that is not UTF-8: usage error');
is($t->dbh->selectrow_array('SELECT count(*) FROM cards WHERE board_id = ?', undef, $board->{id}), $before, '... nothing stored');

# --- an empty description is null --------------------------------------------------------
my $desc_of = sub { $t->dbh->selectrow_array('SELECT enc_description FROM cards WHERE id = ?', undef, $_[0]) };
my $plain = decode_json(cli_ok('card add with a description', '--json', 'card', 'add', $board->{id}, 'To do', 'Plain', '--description', 'Some text'))->{id};
like($desc_of->($plain), qr/^v1\./, 'the description is an envelope');
is(decode_json(cli_ok('card show --json', '--json', 'card', 'show', $plain))->{description}, 'Some text', '... that decrypts');
cli_ok("card edit --description ''", 'card', 'edit', $plain, '--description', '');
is($desc_of->($plain), undef, "--description '' clears it to null in the database");
my $shown = decode_json(cli_ok('card show --json', '--json', 'card', 'show', $plain));
ok(exists $shown->{description} && !defined $shown->{description}, '--json shows description null');
cli_ok('card edit --description again', 'card', 'edit', $plain, '--description', 'Back again');
cli_ok('card edit --no-description', 'card', 'edit', $plain, '--no-description');
is($desc_of->($plain), undef, '--no-description clears it to null');
($rc, undef, $err) = cli('card', 'edit', $plain, '--no-description', '--description', 'x');
is($rc, 2, '--no-description with --description: usage error');
my $empty = decode_json(cli_ok("card add --description ''", '--json', 'card', 'add', $board->{id}, 'To do', 'Empty', '--description', ''))->{id};
is($desc_of->($empty), undef, "card add --description '' stores null, not an envelope of \"\"");
my $other = add_card('From another client', '');
like($desc_of->($other), qr/^v1\./, 'another client stored an envelope of ""');
is(decode_json(cli_ok('card show --json', '--json', 'card', 'show', $other))->{description}, '', '--json shows it as ""');
($rc, $out) = cli('card', 'show', $other);
unlike($out, qr/description/, 'card show: an envelope of "" shows no description, like null');

$proxy->finish('the CLI');

done_testing();
