# Deleting a board, or a workspace with its boards, removes their Redis tick streams
# (mskanban:board:<id>:ticks, the keys the live stream replays from) after the commit.
# A refused deletion leaves them.
use strict;
use warnings;
use Test::More;
use MSKanban::Test;
use MSKanban::Kanban;

my $t = MSKanban::Test->new;
my $k = MSKanban::Kanban->new($t);
my $port = $t->env('MSKANBAN_REDIS_PORT');
sub stream_exists { my $n = `redis-cli -p $port EXISTS mskanban:board:$_[0]:ticks`; chomp $n; $n }

my $owner = $t->user;
my $member = $t->user;
my $ws = $k->workspace($owner)->{id};
$k->invite($owner, $ws, $member, 'member');
my @boards = map { $k->board($owner, $ws)->{id} } 1 .. 3;
$k->column($owner, $_) for @boards;
is(stream_exists($_), 1, "board $_ has a tick stream") for @boards;

# A board's deletion removes its stream and no other.
is($owner->delete("/boards/$boards[0]")->{status}, 204, 'board deleted');
is(stream_exists($boards[0]), 0, "the deleted board's stream is gone");
is(stream_exists($boards[1]), 1, "another board's stream stays");

# A refused deletion (a member may not delete the workspace) changes nothing.
is($member->delete("/workspaces/$ws")->{status}, 403, 'a member cannot delete the workspace');
is(stream_exists($_), 1, "board $_ keeps its stream") for @boards[1, 2];

# The workspace's deletion removes the streams of all its boards.
is($owner->delete("/workspaces/$ws")->{status}, 204, 'workspace deleted');
is(stream_exists($_), 0, "board ${_}'s stream is gone with the workspace") for @boards[1, 2];

done_testing;
