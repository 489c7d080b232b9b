# mskanban comment add / comment list: the CLI encrypts a comment under the board key
# bound to comment:<id>, the server stores only the envelope, and the list reads it
# back (oldest first, every page). Answers pass through the OpenAPI-checking proxy.
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
my $ip = MSKanban::Test->next_ip;
my $me = { email => MSKanban::Test->unique_email('comments'), password => "comment test $$ " . rand(), state => "$dir/s.json" };

sub cli {
    return MSKanban::Cli::run($cli, { %$me, ip => $ip, server => $proxy->url }, @_);
}

sub cli_ok { MSKanban::Cli::run_ok($cli, { %$me, ip => $ip, server => $proxy->url }, @_) }

cli_ok('register', 'register', $me->{email});
my $ws = decode_json(cli_ok('workspace create', '--json', 'workspace', 'create', 'Team'));
my $board = decode_json(cli_ok('board create', '--json', 'board', 'create', $ws->{id}, 'Board'));
my $card = decode_json(cli_ok('card add', '--json', 'card', 'add', $board->{id}, $board->{columnIds}[0], 'A card'));
my @texts = ('first: looks good', "second \x{e9}t\x{e9}", 'third');
utf8::encode($_) for @texts;
my @ids = map { decode_json(cli_ok("comment add $_", '--json', 'comment', 'add', $card->{id}, $_))->{id} } @texts;
is(scalar(grep { /^c[0-9a-z]{24}$/ } @ids), 3, 'three comments, ids chosen by the client');

my $stored = $t->dbh->selectcol_arrayref('SELECT enc_body FROM comments WHERE card_id = ? ORDER BY seq', undef, $card->{id});
is(scalar @$stored, 3, 'stored');
ok(!(grep { my $e = $_; grep { index($e, $_) >= 0 } @texts } @$stored), 'no plaintext in the database');
like($_, qr/^v1\./, 'an envelope') for @$stored;

my $list = decode_json(cli_ok('comment list --json', '--json', 'comment', 'list', $card->{id}));
my @got = map { $_->{text} } @$list;
utf8::encode($_) for @got;
is_deeply(\@got, \@texts, 'read back, oldest first');
is_deeply([ map { $_->{id} } @$list ], \@ids, 'with their ids');
my $plain = cli_ok('comment list', 'comment', 'list', $card->{id});
like($plain, qr/first: looks good/, 'plain listing shows the text');

my ($rc) = cli('comment', 'add', 'cnosuchcard0000000000000', 'x');
isnt($rc, 0, 'a comment on an unknown card fails');

done_testing;
