# mskanban webhook add|list|deliveries|requeue|rm and automation list, through the
# OpenAPI-checking proxy: add prints the secret once, a delivery to a receiver on
# 127.0.0.2 (the test stack's allow-list) shows up with its attempt, requeue of a
# delivered one is refused, rm deletes. Receivers only on loopback.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use Time::HiRes qw(time sleep);
use Mojo::JSON qw(decode_json);
use MSKanban::Test;
use MSKanban::Proxy;
use MSKanban::Cli;
use MSKanban::Receiver;

my $t = MSKanban::Test->new;
my $cli = MSKanban::Cli::binary($t);
my $proxy = MSKanban::Proxy->new($t);
my $dir = tempdir(CLEANUP => 1);
my $ip = MSKanban::Test->next_ip;
my $me = { email => MSKanban::Test->unique_email('webhooks'), password => "webhook test $$ " . rand(), state => "$dir/s.json" };
sub cli { MSKanban::Cli::run($cli, { %$me, ip => $ip, server => $proxy->url }, @_) }
sub cli_ok { MSKanban::Cli::run_ok($cli, { %$me, ip => $ip, server => $proxy->url }, @_) }

my $rx = MSKanban::Receiver->new(host => '127.0.0.2');
cli_ok('register', 'register', $me->{email});
my $ws = decode_json(cli_ok('workspace create', '--json', 'workspace', 'create', 'Team'));
my $board = decode_json(cli_ok('board create', '--json', 'board', 'create', $ws->{id}, 'Board'));

my $out = cli_ok('webhook add', 'webhook', 'add', $board->{id}, $rx->url, '--events', 'CARD_CREATED');
like($out, qr/Signing secret \(shown once; keep it with the receiver\): whsec_[A-Za-z0-9_-]{43}/, 'add prints the secret');
my ($hook) = $out =~ /Added webhook (c[0-9a-z]+)/;
ok($hook, 'and the id');
like(cli_ok('webhook list', 'webhook', 'list', $board->{id}), qr/^\Q$hook\E  \Q${\ $rx->url}\E  CARD_CREATED$/m, 'list shows url and events');
unlike(cli_ok('webhook list', 'webhook', 'list', $board->{id}), qr/whsec_/, 'never the secret');

cli_ok('card add', '--json', 'card', 'add', $board->{id}, $board->{columnIds}[0], 'A card');
is($rx->wait_for(1), 1, 'the receiver got the card');
my $deadline = time + 10;
my $list;
while (time < $deadline) {
    $list = decode_json(cli_ok('webhook deliveries --json', '--json', 'webhook', 'deliveries', $hook));
    last if @$list && $list->[0]{state} eq 'delivered';
    sleep 0.1;
}
is($list->[0]{state}, 'delivered', 'deliveries --json: delivered');
like(cli_ok('webhook deliveries', 'webhook', 'deliveries', $hook), qr/delivered  CARD_CREATED  1 attempt\(s\).*\n    #1  \S+  HTTP 200/, 'deliveries shows the attempt');
my ($rc, undef, $err) = cli('webhook', 'requeue', $list->[0]{id});
isnt($rc, 0, 'requeue of a delivered one fails');
like($err, qr/409/, 'with the server\'s 409');

like(cli_ok('automation list (none)', 'automation', 'list', $board->{id}), qr/No automations/, 'automation list: none');
my $col = $board->{columnIds}[0];
$t->dbh->do(q{INSERT INTO automations (id, board_id, trigger, trigger_meta, enc_body) VALUES (?, ?, 'card_moved', ?, ?)}, undef,
    'cauto' . $$ . int(rand 1e9), $board->{id}, qq({"toColumnId":"$col"}), envelope());
like(cli_ok('automation list', 'automation', 'list', $board->{id}), qr/^cauto\d+  when card_moved toColumnId=\Q$col\E  \(rule encrypted\)$/m,
    'automation list: the trigger and its metadata');
like(cli_ok('webhook rm', 'webhook', 'rm', $hook), qr/Deleted webhook \Q$hook\E/, 'rm');
like(cli_ok('webhook list', 'webhook', 'list', $board->{id}), qr/No webhooks/, 'gone');
$rx->stop;
done_testing;
