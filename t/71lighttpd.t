#!/usr/bin/perl
# lighttpd 1.4 in front, run from conf/lighttpd/mskanban.conf (the file users include):
# mod_fastcgi to the stack's FastCGI workers, and the nginx module as a sidecar that
# lighttpd forwards the live stream and the WebSocket relay to (mod_proxy with upgrade);
# an attachment uploaded through it and downloaded with its X-Sendfile.
use strict;
use warnings;
use Test::More;
use MSKanban::Test;
use MSKanban::Lighttpd;
use MSKanban::Front;
use MSKanban::Live;
use MSKanban::WS;

my $t = MSKanban::Test->new;
plan skip_all => 'lighttpd is not installed' unless MSKanban::Lighttpd::available();

subtest 'mod_fastcgi' => sub {
    my $lt = MSKanban::Lighttpd->new($t);
    my $ft = $lt->tester;
    MSKanban::Front::check_api($ft, 'lighttpd');
    MSKanban::Front::check_live_poll($ft, 'lighttpd', sse => 1);
};

subtest 'mod_fastcgi, attachments: X-Sendfile (a worker of its own)' => sub {
    my $lt = MSKanban::Lighttpd->new($t, attachments => 1);
    MSKanban::Front::check_attachment($lt->tester, 'lighttpd');
};

subtest 'mod_fastcgi, workers unreachable' => sub {
    my $lt = MSKanban::Lighttpd->new($t, socket => $t->{state} . '/no-such.sock');
    MSKanban::Front::check_unreachable($lt->url, 'lighttpd');
};

SKIP: {
    skip 'the nginx module was not built', 1 unless MSKanban::WS::module_has_ws($t);
    subtest 'the nginx module as a sidecar: live stream and relay through lighttpd' => sub {
        my $side = MSKanban::Front::sidecar($t);
        my $lt = MSKanban::Lighttpd->new($t, sidecar => $side->port);
        MSKanban::Front::check_sidecar($lt->tester, 'lighttpd', $lt->port);
        $side->stop;
    };
}

done_testing;
