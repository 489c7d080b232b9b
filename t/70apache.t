#!/usr/bin/perl
# Apache httpd 2.4 in front, run from conf/apache/mskanban.conf (the file users copy):
# mod_proxy_fcgi to the stack's FastCGI workers; mod_fcgid spawning the worker itself,
# recycled after every request; and the nginx module as a sidecar that Apache forwards
# the live stream and the WebSocket relay to (mod_proxy_http, mod_proxy_wstunnel); and a
# shared host's web root with conf/apache/shared-hosting/ (.htaccess, api.fcgi); an
# attachment uploaded through mod_proxy_fcgi and downloaded with mod_xsendfile.
use strict;
use warnings;
use Test::More;
use Mojo::UserAgent;
use MSKanban::Test;
use MSKanban::Apache;
use MSKanban::Front;
use MSKanban::Live;
use MSKanban::WS;

my $t = MSKanban::Test->new;
plan skip_all => 'apache2 with mod_proxy_fcgi is not installed' unless MSKanban::Apache::available();

subtest 'mod_proxy_fcgi' => sub {
    my $ap = MSKanban::Apache->new($t, mode => 'proxy_fcgi');
    my $ft = $ap->tester;
    MSKanban::Front::check_api($ft, 'apache');
    MSKanban::Front::check_live_poll($ft, 'apache', sse => 1);
    unlike($ap->log_text('access.log'), qr/\?/, 'the access log (%U) holds no query strings');
};

SKIP: {
    skip 'mod_xsendfile is not installed (libapache2-mod-xsendfile)', 1 unless MSKanban::Apache::has_xsendfile();
    subtest 'mod_proxy_fcgi, attachments: mod_xsendfile (a worker of its own)' => sub {
        my $ap = MSKanban::Apache->new($t, attachments => 1);
        MSKanban::Front::check_attachment($ap->tester, 'apache');
    };
}

subtest 'mod_proxy_fcgi, workers unreachable' => sub {
    my $ap = MSKanban::Apache->new($t, mode => 'proxy_fcgi', socket => $t->{state} . '/no-such.sock');
    MSKanban::Front::check_unreachable($ap->url, 'apache');
};

SKIP: {
    skip 'mod_fcgid is not installed', 1 unless MSKanban::Apache::has_fcgid();
    subtest 'mod_fcgid, one request per process' => sub {
        my $ap = MSKanban::Apache->new($t, mode => 'fcgid', max_requests => 1);
        my $ft = $ap->tester;
        MSKanban::Front::check_api($ft, 'apache+fcgid');
        MSKanban::Front::check_live_poll($ft, 'apache+fcgid', sse => 1);
        # Each request was served by a fresh process: the workers' log lines (on Apache's
        # error log) carry their pid.
        my %pids = map { $_ => 1 } $ap->log_text =~ /pid=(\d+) rid=\S+ \w+ \//g;
        my $lines = () = $ap->log_text =~ /pid=\d+ rid=\S+ \w+ \//g;
        cmp_ok($lines, '>=', 10, "$lines requests logged by the workers");
        is(scalar keys %pids, $lines, 'each by its own process (FcgidMaxRequestsPerProcess 1)');
    };
}

SKIP: {
    skip 'mod_fcgid is not installed', 1 unless MSKanban::Apache::has_fcgid();
    subtest 'shared hosting: .htaccess, mod_fcgid, no daemon of our own' => sub {
        my $ap = MSKanban::Apache->new($t, mode => 'shared');
        my $ft = $ap->tester;
        MSKanban::Front::check_api($ft, 'shared host');
        MSKanban::Front::check_live_poll($ft, 'shared host', sse => 1);
    };
}

SKIP: {
    skip 'the nginx module was not built', 1 unless MSKanban::WS::module_has_ws($t);
    subtest 'the nginx module as a sidecar: live stream and relay through Apache' => sub {
        my $side = MSKanban::Front::sidecar($t);
        my $ap = MSKanban::Apache->new($t, mode => 'proxy_fcgi', sidecar => $side->port);
        MSKanban::Front::check_sidecar($ap->tester, 'apache', $ap->port);
        $side->stop;
    };
}

done_testing;
