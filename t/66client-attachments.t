# mskanban card attach / attachment list / get / rm: the CLI encrypts a file chunk by
# chunk (secretstream under the board key, AAD attachment:<id>) while it uploads, and
# decrypts while it downloads. A 25 MiB file goes round trip with the same SHA-256; the
# stored bytes hold no plaintext; a truncated, reordered or swapped stream is refused
# and leaves no output file. Answers pass through the OpenAPI-checking proxy.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use Digest::SHA;
use Mojo::JSON qw(decode_json);
use MSKanban::Test;
use MSKanban::Proxy;
use MSKanban::Cli;

my $t = MSKanban::Test->new;
my $cli = MSKanban::Cli::binary($t);
my $store = $t->env('MSKANBAN_ATTACHMENT_DIR');
plan skip_all => 'the stack has no attachment_dir' unless $store && -d $store;
local $ENV{MOJO_MAX_MESSAGE_SIZE} = 0;    # the proxy forwards 25 MiB bodies
my $proxy = MSKanban::Proxy->new($t);

my $dir = tempdir(CLEANUP => 1);
my $ip = MSKanban::Test->next_ip;
my $me = { email => MSKanban::Test->unique_email('attach'), password => "attach test $$ " . rand(), state => "$dir/s.json" };
sub cli { MSKanban::Cli::run($cli, { %$me, ip => $ip, server => $proxy->url }, @_) }
sub cli_ok { MSKanban::Cli::run_ok($cli, { %$me, ip => $ip, server => $proxy->url }, @_) }
sub sha_file { Digest::SHA->new(256)->addfile($_[0])->hexdigest }
sub slurp { local $/; open my $fh, '<:raw', $_[0] or return undef; <$fh> }
sub spew { open my $fh, '>:raw', $_[0] or die "$_[0]: $!"; print $fh $_[1]; close $fh or die }

cli_ok('register', 'register', $me->{email});
my $ws = decode_json(cli_ok('workspace create', '--json', 'workspace', 'create', 'Team'));
my $board = decode_json(cli_ok('board create', '--json', 'board', 'create', $ws->{id}, 'Board'));
my $card = decode_json(cli_ok('card add', '--json', 'card', 'add', $board->{id}, $board->{columnIds}[0], 'A card'))->{id};

# A 25 MiB file whose every 64 KiB carries a marker the stored bytes must not contain.
my $marker = 'PLAINTEXT-MARKER-';
my $block = $marker . ('x' x (65_536 - length($marker) - 8));
my $big = "$dir/report final.pdf";
{
    open my $fh, '>:raw', $big or die;
    for my $i (0 .. 399) { print $fh $block, sprintf('%08d', $i) }
    close $fh;
}
is(-s $big, 25 * 1024 * 1024, 'a 25 MiB file');
my $sum = sha_file($big);
my $att = decode_json(cli_ok('card attach 25 MiB', '--json', 'card', 'attach', $card, $big))->{id};
like($att, qr/^c[0-9a-z]{24}$/, 'attached under a client-chosen id');
my ($name, $size) = $t->dbh->selectrow_array('SELECT storage_name, size_bytes FROM attachments WHERE id = ?', undef, $att);
is($size, 26_221_224, 'the stored stream: 24 + 25 MiB + 400 * 17 bytes');
my $stored = slurp("$store/$name") // '';
is(length $stored, $size, 'stored as sent');
is(index($stored, $marker), -1, 'the stored bytes contain no plaintext');
is(index($stored, 'report final'), -1, 'nor the file name');
my $row = $t->dbh->selectrow_array('SELECT enc_meta FROM attachments WHERE id = ?', undef, $att);
unlike($row, qr/report|pdf/, 'the name and type are an envelope');

my $list = decode_json(cli_ok('attachment list', '--json', 'attachment', 'list', $card));
is($list->[0]{name}, 'report final.pdf', 'the list decrypts the name');
is($list->[0]{type}, 'application/pdf', 'and the type');
is($list->[0]{size}, 25 * 1024 * 1024, 'and the size');

my $out = "$dir/back.pdf";
cli_ok('attachment get', 'attachment', 'get', $att, '-o', $out);
is(sha_file($out), $sum, 'the 25 MiB file round trip: same SHA-256');
unlink $out;

# Tampering with the stored stream: each is refused, and no output file is left.
my $check_refused = sub {
    my ($what, $bytes, $why) = @_;
    spew("$store/$name", $bytes);
    my ($rc, undef, $err) = cli('attachment', 'get', $att, '-o', $out);
    isnt($rc, 0, "$what: refused");
    like($err, qr/attachment $att: .*$why/, "$what: says why") or diag($err);
    ok(!-e $out && !-e "$out.part", "$what: no output file");
};
my $chunk = 65_536 + 17;
$check_refused->('truncated at a chunk boundary', substr($stored, 0, 24 + 10 * $chunk), qr/truncated/);
$check_refused->('truncated inside a chunk', substr($stored, 0, 24 + 10 * $chunk + 100), qr/does not open|truncated/);
$check_refused->('two chunks swapped',
    substr($stored, 0, 24) . substr($stored, 24 + $chunk, $chunk) . substr($stored, 24, $chunk) . substr($stored, 24 + 2 * $chunk), qr/does not open/);
(my $flipped = $stored) =~ s/^(.{5000})(.)/$1 . chr(ord($2) ^ 1)/se;
$check_refused->('one bit flipped', $flipped, qr/does not open/);
$check_refused->('data after the final chunk', $stored . 'x' x 40, qr/after the final chunk/);

# Another attachment's stream under this attachment's row (bound to its own id).
my $small = "$dir/note.txt";
spew($small, "hello attachments\n");
my $other = decode_json(cli_ok('card attach small', '--json', 'card', 'attach', $card, $small))->{id};
my $other_name = $t->dbh->selectrow_array('SELECT storage_name FROM attachments WHERE id = ?', undef, $other);
my $other_bytes = slurp("$store/$other_name");
$check_refused->('another attachment\'s stream', $other_bytes, qr/does not open/);
spew("$store/$name", $stored);

my ($rc, $stdout) = cli('attachment', 'get', $other, '-o', '-');
is($rc, 0, 'get to stdout');
is($stdout, "hello attachments\n", 'the small file');
my $empty = "$dir/empty";
spew($empty, '');
my $e = decode_json(cli_ok('card attach empty', '--json', 'card', 'attach', $card, $empty))->{id};
($rc, $stdout) = cli('attachment', 'get', $e, '-o', '-');
is($rc, 0, 'an empty file');
is($stdout, '', 'comes back empty');

cli_ok('attachment rm', 'attachment', 'rm', $other);
($rc) = cli('attachment', 'get', $other, '-o', "$dir/gone");
isnt($rc, 0, 'a deleted attachment cannot be fetched');
($rc) = cli('card', 'attach', 'cnosuchcard0000000000000', $small);
isnt($rc, 0, 'attaching to an unknown card fails');

$proxy->finish;
done_testing;
