# mskanban export (issue 13): one GET /me/export, decrypted by the CLI into JSON or
# Markdown, with the card's comments, checklists and custom field values as the CLI
# wrote them. Answers pass through the OpenAPI-checking proxy.
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
my $me = { email => MSKanban::Test->unique_email('export'), password => "export test $$ " . rand(), state => "$dir/s.json",
           ip => MSKanban::Test->next_ip, server => $proxy->url };
sub cli_ok { MSKanban::Cli::run_ok($cli, $me, @_) }

cli_ok('register', 'register', $me->{email});
my $ws = decode_json(cli_ok('workspace create', '--json', 'workspace', 'create', 'Export team'));
my $board = decode_json(cli_ok('board create', '--json', 'board', 'create', $ws->{id}, 'Roadmap'));
my $card = decode_json(cli_ok('card add', '--json', 'card', 'add', $board->{id}, $board->{columnIds}[0], 'Ship the export'));
cli_ok('comment add', 'comment', 'add', $card->{id}, 'Comment text: streamed, not buffered');
my $list = decode_json(cli_ok('checklist add', '--json', 'checklist', 'add', $card->{id}, 'Launch steps'));
cli_ok('item add', 'item', 'add', $card->{id}, $list->{id}, 'Write docs/export.md', '--done');
cli_ok('item add', 'item', 'add', $card->{id}, $list->{id}, 'Measure worker memory');
cli_ok('field add', 'field', 'add', $board->{id}, 'Effort', 'number');
cli_ok('card set', 'card', 'set', $card->{id}, 'Effort', '42');

# JSON, to a file of mode 0600.
cli_ok('export json', 'export', '--format', 'json', '--output', "$dir/export.json");
is((stat "$dir/export.json")[2] & 0777, 0600, 'written 0600');
my $doc = decode_json(do { local (@ARGV, $/) = "$dir/export.json"; <> });
is($doc->{format}, 'mskanban-export-decrypted/1', 'decrypted format');
is($doc->{account}{email}, $me->{email}, 'the account');
my ($w) = grep { $_->{id} eq $ws->{id} } @{ $doc->{workspaces} };
is($w->{name}, 'Export team', 'workspace name decrypted');
is($w->{boards}[0]{name}, 'Roadmap', 'board name decrypted');
my ($c) = map { @{ $_->{cards} } } @{ $w->{boards}[0]{columns} };
is($c->{title}, 'Ship the export', 'card title decrypted');
is($c->{comments}[0]{text}, 'Comment text: streamed, not buffered', 'the comment');
is($c->{comments}[0]{author}, $me->{email}, '...with its author');
is($c->{checklists}[0]{title}, 'Launch steps', 'the checklist');
is_deeply([map { [$_->{text}, $_->{done} ? 1 : 0] } @{ $c->{checklists}[0]{items} }],
    [['Write docs/export.md', 1], ['Measure worker memory', 0]], 'its items, in order, with done flags');
is_deeply([map { [$_->{name}, $_->{value}] } @{ $c->{customFields} }], [['Effort', '42']], 'the custom field value');
ok(!exists $doc->{decryptErrors}, 'nothing failed to decrypt');

# Markdown on stdout.
my $md = cli_ok('export markdown', 'export', '--format', 'markdown');
like($md, qr/^# MSKanban export/, 'a Markdown document');
like($md, qr/^## Export team$/m, 'the workspace heading');
like($md, qr/^### Roadmap$/m, 'the board heading');
like($md, qr/^- \*\*Ship the export\*\*$/m, 'the card');
like($md, qr/^  - Checklist: Launch steps\n    - \[x\] Write docs\/export\.md\n    - \[ \] Measure worker memory$/m, 'the checklist and its items');
like($md, qr/^    - \Q$me->{email}\E, [0-9T:.-]+Z: Comment text: streamed, not buffered$/m, 'the comment');
like($md, qr/^  - Effort: 42$/m, 'the custom field');

my ($rc, undef, $err) = MSKanban::Cli::run($cli, $me, 'export', '--format', 'pdf');
isnt($rc, 0, 'an unknown format is refused');
like($err, qr/json or markdown/, '...saying which exist');

done_testing;
