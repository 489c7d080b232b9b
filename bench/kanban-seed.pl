# Seeds the benchmark board for bench/kanban.sh: a user (registered and logged in
# through the API), a workspace, a board, COLUMNS columns with CARDS cards in each
# (inserted in the database), then prints shell assignments for the script.
use strict;
use warnings;
use MSKanban::Test;
use MSKanban::Kanban;

Test::More->builder->no_ending(1);  # a seeding script, not a test

my ($columns, $cards) = @ARGV;
my $t = MSKanban::Test->new;
my $k = MSKanban::Kanban->new($t);
my $u = $t->user;
my $ws = $k->workspace($u)->{id};
my $board = $k->board($u, $ws)->{id};
my (@cols, @cards);
for my $i (1 .. $columns) {
    my $col = $k->column($u, $board)->{id};
    push @cols, $col;
    for my $j (1 .. $cards) {
        my $id = sprintf 'cbench%s%04d%04d', lc(substr($col, -6)), $i, $j;
        # "c001".."c999": valid, increasing position keys (head c = 3 more digits).
        $t->dbh->do('INSERT INTO cards (id, board_id, column_id, enc_title, position) VALUES (?, ?, ?, ?, ?)',
            undef, $id, $board, $col, envelope(), sprintf('c%03d', $j));
        push @cards, $id;
    }
}
print "BOARD=$board\n";
print "COOKIE=", $u->cookie, "\n";
print "COLUMNS='@cols'\n";
print "CARDS='@cards'\n";
