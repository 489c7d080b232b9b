# Bad input is a JSON 400 with the error shape, never a 500 or an HTML page: a year 0000
# timestamp, activity cursors past 2^31 (and past 2^63), a %00 or an undecodable byte in
# an API path (refused by nginx before any location: conf/nginx/mskanban-api.conf).
use strict;
use warnings;
use Test::More;
use HTTP::Tiny;
use Mojo::JSON qw(decode_json);
use MSKanban::Test;
use MSKanban::Live;

my $t = MSKanban::Test->new;
my $u = $t->user;
my ($ws, $board) = MSKanban::Live::board($t, $u);
my $col = $u->post("/boards/$board/columns", { encName => MSKanban::Test::envelope() });
my $cid = $col->{json}{column}{id};

for my $d ('0000-01-01T00:00:00.000Z', '0000-12-31T23:59:59Z') {
    my $title = MSKanban::Test::envelope();
    $t->error_is($u->post("/columns/$cid/cards", { encTitle => $title, dueAt => $d }), 400, 'BAD_REQUEST',
        "dueAt $d on create");
    is($t->count_rows('SELECT 1 FROM cards WHERE enc_title = $1', $title), 0, 'nothing stored');
}
my $card = $u->post("/columns/$cid/cards", { encTitle => MSKanban::Test::envelope() });
my $card_id = $card->{json}{card}{id};
$t->error_is($u->patch("/cards/$card_id", { dueAt => '0000-01-01T00:00:00.000Z' }), 400, 'BAD_REQUEST',
    'dueAt year 0000 on update');
$t->ok_status($u->patch("/cards/$card_id", { dueAt => '0001-01-01T00:00:00.000Z' }), 200, 'year 0001 is fine');
is($u->get("/cards/$card_id")->{json}{card}{dueAt}, '0001-01-01T00:00:00.000Z', 'and reads back unchanged');

for my $b ('2147483648', '9223372036854775807', '999999999999999999') {
    my $r = $u->get("/boards/$board/activity?before=$b");
    ok($r->{status} == 200 || $r->{status} == 400, "before=$b: $r->{status}, not a 500");
}
$t->error_is($u->get("/boards/$board/activity?before=99999999999999999999"), 400, 'BAD_REQUEST',
    'a cursor past 2^63');

my $http = HTTP::Tiny->new(timeout => 10);
for my $path ("/api/boards/%00x", "/api/%00", "/api/boards/$board/activity%00") {
    my $r = $http->get($t->url . $path);
    is($r->{status}, 400, "$path: 400");
    like($r->{headers}{'content-type'} // '', qr{^application/json}, 'JSON');
    my $j = eval { decode_json($r->{content}) };
    ok($j && $j->{error}{code} eq 'BAD_REQUEST' && length $j->{error}{message}, 'the error shape')
        or diag($r->{content});
}
my $other = $http->get($t->url . '/not-the-api/%00');
is($other->{status}, 400, 'outside /api: still 400');
unlike($other->{headers}{'content-type'} // '', qr{json}, 'with nginx\'s own page');
done_testing;
