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

$r = $c->get('/no/such/route', undef, undef, { undocumented => 1 });
is($r->{status}, 404, 'unknown route 404');
is($r->{json}{error}{code}, 'NOT_FOUND', 'unknown route: JSON error shape');
like($r->{headers}{'Content-Type'}, qr{^application/json}, 'unknown route: JSON content type');

$r = $c->request(DELETE => '/health', undef, undef, { undocumented => 1 });
is($r->{status}, 405, 'wrong method 405');
is($r->{headers}{Allow}, 'GET', 'Allow lists the methods');
is($r->{json}{error}{code}, 'METHOD_NOT_ALLOWED', '405 error shape');

$r = $c->request(HEAD => '/health');
is($r->{status}, 200, 'HEAD is served as GET');
is($r->{body}, '', 'HEAD has no body');

# The bare base path: nginx redirects it to /api/, where the workers answer that there is
# no such route, in the JSON error shape (both checked by the client as outside the
# document).
my $root = $t->client(base => $t->url);
$r = $root->get('/api', undef, undef, { undocumented => 1 });
is($r->{status}, 301, 'bare /api redirects');
like($r->{headers}{Location} // '', qr{^(\Q@{[ $t->url ]}\E)?/api/$}, 'to /api/');
$r = $root->get('/api/', undef, undef, { undocumented => 1 });
is($r->{status}, 404, '/api/ is no route');
is($r->{json}{error}{code}, 'NOT_FOUND', '/api/: JSON error shape');

done_testing;
