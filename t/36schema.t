# The schema holds its own invariants (sql/003_integrity.sql): straight SQL, bypassing
# the API, cannot store a card in another board's column, drop a column that still holds
# cards, or store an envelope or position key of the wrong shape. Each rule is shown
# refusing a bad row (and accepting a good one, so the refusal is the rule's doing).
use strict;
use warnings;
use Test::More;
use MSKanban::Test;
use MSKanban::Kanban;

my $t = MSKanban::Test->new;
my $k = MSKanban::Kanban->new($t);
my $dbh = $t->dbh;
my $owner = $t->user;
my $ws = $k->workspace($owner)->{id};
my $b1 = $k->board($owner, $ws)->{id};
my $b2 = $k->board($owner, $ws)->{id};
my ($c1, $c2) = map { $k->column($owner, $b1)->{id} } 1 .. 2;
my $other = $k->column($owner, $b2)->{id};
my $card = $k->card($owner, $c1)->{id};

my $n = 0;
sub fresh_id { sprintf 'csch%x%05d', $$, ++$n }

# Runs SQL expecting PostgreSQL to refuse it by naming `constraint`.
sub refused {
    my ($constraint, $name, $sql, @bind) = @_;
    my $ok = eval { $dbh->do($sql, undef, @bind); 1 };
    my $err = $@ // '';
    ok(!$ok && $err =~ /\Q$constraint\E/, "$name: refused by $constraint") or diag($ok ? 'accepted' : $err);
}
sub accepted {
    my ($name, $sql, @bind) = @_;
    my $ok = eval { $dbh->do($sql, undef, @bind); 1 };
    ok($ok, "$name: accepted") or diag($@);
}

# --- a card's column belongs to the card's board ---------------------------------------------
refused('cards_board_column', "moving a card to another board's column",
    'UPDATE cards SET column_id = ? WHERE id = ?', $other, $card);
refused('cards_board_column', "inserting a card into another board's column",
    'INSERT INTO cards (id, board_id, column_id, enc_title, position) VALUES (?, ?, ?, ?, ?)',
    fresh_id(), $b1, $other, envelope(), 'a5');
accepted('moving a card to a column of its own board', 'UPDATE cards SET column_id = ? WHERE id = ?', $c2, $card);

# --- a column that holds cards is not dropped with them -------------------------------------
refused('cards_board_column', 'deleting a column that still holds a card', 'DELETE FROM columns WHERE id = ?', $c2);
is($t->count_rows('SELECT 1 FROM cards WHERE id = ?', $card), 1, 'the card is still there');
accepted('deleting an empty column', 'DELETE FROM columns WHERE id = ?', $c1);
# Deleting the board still removes its columns and cards.
my $b3 = $k->board($owner, $ws)->{id};
my $c3 = $k->column($owner, $b3)->{id};
$k->card($owner, $c3) for 1 .. 3;
accepted('deleting a board with columns and cards', 'DELETE FROM boards WHERE id = ?', $b3);
is($t->count_rows('SELECT 1 FROM cards WHERE board_id = ?', $b3), 0, 'its cards went with it');

# --- envelope shapes ----------------------------------------------------------------------------
my %bad_envelopes = (
    'plain text' => 'hello',
    'empty' => '',
    'wrong version' => 'v2.' . random_b64(24) . '.' . random_b64(48),
    'short nonce' => 'v1.' . random_b64(12) . '.' . random_b64(48),
    'no ciphertext' => 'v1.' . random_b64(24) . '.',
    'ciphertext shorter than the tag' => 'v1.' . random_b64(24) . '.' . random_b64(8),
    'padding' => 'v1.' . random_b64(24) . '.' . random_b64(48) . '==',
    'not base64url' => 'v1.' . random_b64(24) . '.' . random_b64(45) . '+/',
    'impossible length' => 'v1.' . random_b64(24) . '.' . random_b64(48) . 'A',
    'larger than the field allows' => envelope(4097),
);
my @envelope_columns = (
    [users => 'enc_private_key', 'id', $owner->id],
    [users => 'enc_symmetric_key', 'id', $owner->id],
    [users => 'enc_recovery_blob', 'id', $owner->id],
    [workspaces => 'enc_name', 'id', $ws],
    [boards => 'enc_name', 'id', $b1],
    [boards => 'enc_board_key', 'id', $b1],
    [columns => 'enc_name', 'id', $c2],
    [cards => 'enc_title', 'id', $card],
    [cards => 'enc_description', 'id', $card],
);
for my $col (@envelope_columns) {
    my ($table, $column, $key, $id) = @$col;
    my $constraint = "${table}_${column}_shape";
    for my $why (sort keys %bad_envelopes) {
        next if $why eq 'larger than the field allows' && $column eq 'enc_description';
        refused($constraint, "$table.$column, $why", "UPDATE $table SET $column = ? WHERE $key = ?", $bad_envelopes{$why}, $id);
    }
    accepted("$table.$column, an envelope", "UPDATE $table SET $column = ? WHERE $key = ?", envelope(64), $id);
}
refused('boards_enc_board_key_shape', 'a board key larger than 1 KiB', 'UPDATE boards SET enc_board_key = ? WHERE id = ?', envelope(1025), $b1);
refused('cards_enc_description_shape', 'a description larger than 256 KiB',
    'UPDATE cards SET enc_description = ? WHERE id = ?', envelope(256 * 1024 + 1), $card);
accepted('a description of 256 KiB', 'UPDATE cards SET enc_description = ? WHERE id = ?', envelope(256 * 1024), $card);
accepted('no description', 'UPDATE cards SET enc_description = NULL WHERE id = ?', $card);

# A Workspace Key copy is an envelope or a sealed box.
refused('workspace_members_enc_workspace_key_shape', 'a workspace key that is plain text',
    'UPDATE workspace_members SET enc_workspace_key = ? WHERE workspace_id = ? AND user_id = ?', 'key', $ws, $owner->id);
refused('workspace_members_enc_workspace_key_shape', 'a sealed box that is too short',
    'UPDATE workspace_members SET enc_workspace_key = ? WHERE workspace_id = ? AND user_id = ?', random_b64(40), $ws, $owner->id);
accepted('a workspace key as a sealed box',
    'UPDATE workspace_members SET enc_workspace_key = ? WHERE workspace_id = ? AND user_id = ?', MSKanban::Kanban::sealed_key(), $ws, $owner->id);
accepted('a workspace key as an envelope',
    'UPDATE workspace_members SET enc_workspace_key = ? WHERE workspace_id = ? AND user_id = ?', envelope(48), $ws, $owner->id);

# --- position keys ----------------------------------------------------------------------------
my %bad_positions = (
    'empty' => '',
    'no integer digits' => 'a',
    'integer part cut short' => 'b1',
    'trailing zero in the fraction' => 'a10',
    'not base 62' => 'a0-',
    'head not a letter' => '0a',
    'the smallest integer' => 'A' . ('0' x 26),
    'longer than 256' => 'a0' . ('V' x 255),
);
for my $why (sort keys %bad_positions) {
    refused('cards_position_shape', "card position, $why", 'UPDATE cards SET position = ? WHERE id = ?', $bad_positions{$why}, $card);
    refused('columns_position_shape', "column position, $why", 'UPDATE columns SET position = ? WHERE id = ?', $bad_positions{$why}, $c2);
}
accepted('card position a0V', 'UPDATE cards SET position = ? WHERE id = ?', 'a0V', $card);
accepted('card position b12', 'UPDATE cards SET position = ? WHERE id = ?', 'b12', $card);
accepted('card position Zz', 'UPDATE cards SET position = ? WHERE id = ?', 'Zz', $card);
accepted('column position a1', 'UPDATE columns SET position = ? WHERE id = ?', 'a1', $c2);

# --- every new constraint is validated against the rows already stored ------------------------
my $unvalidated = $dbh->selectcol_arrayref(q{
    SELECT conname FROM pg_constraint
    WHERE conrelid IN ('users'::regclass, 'workspaces'::regclass, 'workspace_members'::regclass,
                       'boards'::regclass, 'columns'::regclass, 'cards'::regclass)
      AND NOT convalidated});
is_deeply($unvalidated, [], 'no constraint was added NOT VALID');
my ($ondelete) = $dbh->selectrow_array(q{SELECT confdeltype FROM pg_constraint WHERE conname = 'cards_board_column'});
is($ondelete, 'a', 'cards_board_column is ON DELETE NO ACTION');
ok(!$dbh->selectrow_array(q{SELECT 1 FROM pg_constraint WHERE conname = 'cards_column_id_fkey'}), 'the cascading column key is gone');

done_testing;
