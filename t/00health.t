# Health, routing errors and the error shape.
use strict;
use warnings;
use Test::More;
use MSKanban::Test;

my $t = MSKanban::Test->new;
my $c = $t->client;

my $r = $c->get('/health');
$t->ok_status($r, 200, 'health');
is_deeply($r->{json}, { ok => Mojo::JSON->true, db => 'up', redis => 'up' }, 'health body');
ok($r->{headers}{'X-Request-Id'}, 'request id header');
is($r->{headers}{'Cache-Control'}, 'no-store', 'API responses are not cached');

$r = $c->get('/no/such/route');
is($r->{status}, 404, 'unknown route 404');
is($r->{json}{error}{code}, 'NOT_FOUND', 'unknown route: JSON error shape');
like($r->{headers}{'Content-Type'}, qr{^application/json}, 'unknown route: JSON content type');

$r = $c->request(DELETE => '/health');
is($r->{status}, 405, 'wrong method 405');
is($r->{headers}{Allow}, 'GET', 'Allow lists the methods');
is($r->{json}{error}{code}, 'METHOD_NOT_ALLOWED', '405 error shape');

$r = $c->request(HEAD => '/health');
is($r->{status}, 200, 'HEAD is served as GET');
is($r->{body}, '', 'HEAD has no body');

# Outside the API base path nginx answers, not the workers.
my $tx = $c->ua->get($t->url . '/api');
isnt($tx->res->code, 500, 'bare /api is not an error');

done_testing;
