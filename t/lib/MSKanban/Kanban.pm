package MSKanban::Kanban;
# Fixture builders for the kanban tests: each creates an object through the API as the
# given client and dies (with the response) when that fails, so a test reads as what it
# checks rather than how it sets up.
#
#   my $k = MSKanban::Kanban->new($t);
#   my $ws = $k->workspace($alice);              # {id, ...} as the API returned it
#   $k->invite($alice, $ws->{id}, $bob, 'viewer');
#   my $board = $k->board($alice, $ws->{id});
#   my $col = $k->column($alice, $board->{id});
#   my $card = $k->card($alice, $col->{id});
use strict;
use warnings;
use Carp qw(croak);
use MSKanban::Test qw(envelope random_b64);

sub new { my ($class, $t) = @_; bless { t => $t }, $class }

sub _made {
    my ($res, $key, $what) = @_;
    croak "$what failed: $res->{status} $res->{body}" unless $res->{status} == 201;
    return $res->{json}{$key};
}

sub workspace {
    my ($self, $c, %over) = @_;
    _made($c->post('/workspaces', { encName => envelope(), encWorkspaceKey => envelope(48), %over }), 'workspace', 'create workspace');
}

# A sealed box (crypto_box_seal of the 32-byte key and its label) is base64url.
sub sealed_key { random_b64(48 + 32 + 26) }

sub invite {
    my ($self, $owner, $ws_id, $user, $role) = @_;
    _made($owner->post("/workspaces/$ws_id/members", { userId => $user->id, encWorkspaceKey => sealed_key(), role => $role // 'member' }),
        'member', 'invite');
}

sub board {
    my ($self, $c, $ws_id, %over) = @_;
    _made($c->post("/workspaces/$ws_id/boards", { encName => envelope(), encBoardKey => envelope(48), %over }), 'board', 'create board');
}

sub column {
    my ($self, $c, $board_id, %over) = @_;
    _made($c->post("/boards/$board_id/columns", { encName => envelope(), %over }), 'column', 'create column');
}

sub card {
    my ($self, $c, $column_id, %over) = @_;
    _made($c->post("/columns/$column_id/cards", { encTitle => envelope(), %over }), 'card', 'create card');
}

# The ids of a column's cards in order (archived included), straight from the database.
sub column_order {
    my ($self, $column_id) = @_;
    return $self->{t}->dbh->selectcol_arrayref(q{SELECT id FROM cards WHERE column_id = ? ORDER BY position COLLATE "C"}, undef, $column_id);
}

1;
