// The command table (see commands.hpp).
#include "commands.hpp"

namespace mskanban::cli {

const std::vector<Command> &command_table() {
    static const std::vector<Command> table = {
        {"register", "", "EMAIL", "create an account (shows the recovery phrase once), then log in", cmd_register, false},
        {"login", "", "EMAIL [--totp CODE]", "log in and keep the session in the session file", cmd_login, false},
        {"logout", "", "", "end the session and delete the session file", cmd_logout, false},
        {"whoami", "", "", "show the account and session", cmd_whoami, true},
        {"2fa", "enroll", "[--code CODE]", "enable TOTP: shows a QR code, then asks for a code", cmd_2fa_enroll, true},
        {"2fa", "disable", "[--code CODE]", "disable TOTP (needs a current code)", cmd_2fa_disable, true},
        {"workspace", "create", "NAME", "create a workspace with a fresh key", cmd_workspace_create, true},
        {"workspace", "list", "", "list your workspaces", cmd_workspace_list, true},
        {"workspace", "invite", "WORKSPACE_ID EMAIL [--role member|viewer]", "share a workspace (seals its key to the invitee)", cmd_workspace_invite, true},
        {"board", "create", "WORKSPACE_ID NAME [--columns \"To do,Doing,Done\"]", "create a board with a fresh key", cmd_board_create, true},
        {"board", "list", "WORKSPACE_ID", "list the boards of a workspace", cmd_board_list, true},
        {"board", "show", "BOARD_ID [--archived] [--width N]", "draw the board: columns side by side", cmd_board_show, true},
        {"column", "add", "BOARD_ID NAME [--wip N] [--done]", "add a column", cmd_column_add, true},
        {"column", "rename", "BOARD_ID COLUMN NEW_NAME [--wip N] [--done|--not-done]", "rename a column (COLUMN: id or name)", cmd_column_rename, true},
        {"column", "rm", "BOARD_ID COLUMN [--move-to COLUMN]", "delete a column (refused while it has cards, unless moved)", cmd_column_rm, true},
        {"card", "add", "BOARD_ID COLUMN TITLE [--description TEXT] [--due DATE]", "add a card at the bottom of a column", cmd_card_add, true},
        {"card", "show", "CARD_ID", "show one card", cmd_card_show, true},
        {"card", "edit", "CARD_ID [--title T] [--description D | --no-description] [--due DATE | --no-due]", "change a card (--description '' clears it too)", cmd_card_edit, true},
        {"card", "move", "CARD_ID COLUMN [--before CARD_ID | --after CARD_ID]", "move a card (to the bottom unless placed)", cmd_card_move, true},
        {"card", "archive", "CARD_ID [--undo]", "archive (or restore) a card", cmd_card_archive, true},
        {"card", "rm", "CARD_ID", "delete a card", cmd_card_rm, true},
        {"card", "label", "CARD_ID LABEL", "put a label of the card's board on it (LABEL: id or name)", cmd_card_label, true},
        {"card", "unlabel", "CARD_ID LABEL", "take a label off a card", cmd_card_unlabel, true},
        {"card", "assign", "CARD_ID EMAIL", "assign a workspace member (EMAIL, user id, or me) to a card", cmd_card_assign, true},
        {"card", "unassign", "CARD_ID EMAIL", "unassign a member from a card", cmd_card_unassign, true},
        {"card", "milestone", "CARD_ID MILESTONE | --none", "put a card in a milestone of its board, or in none", cmd_card_milestone, true},
        {"comment", "add", "CARD_ID TEXT", "comment on a card (encrypted like the card)", cmd_comment_add, true},
        {"comment", "list", "CARD_ID", "show a card's comments, oldest first", cmd_comment_list, true},
        {"label", "add", "BOARD_ID NAME [--colour gray|red|orange|yellow|green|teal|blue|purple|pink|#rrggbb]", "add a label to a board (name encrypted, colour not)", cmd_label_add, true},
        {"label", "list", "BOARD_ID", "list a board's labels", cmd_label_list, true},
        {"label", "rename", "BOARD_ID LABEL [NEW_NAME] [--colour C]", "rename or recolour a label (LABEL: id or name)", cmd_label_rename, true},
        {"label", "rm", "BOARD_ID LABEL", "delete a label (it comes off its cards)", cmd_label_rm, true},
        {"milestone", "add", "BOARD_ID NAME [--due DATE]", "add a milestone to a board (name encrypted)", cmd_milestone_add, true},
        {"milestone", "list", "BOARD_ID [--archived]", "list a board's milestones, by due date", cmd_milestone_list, true},
        {"milestone", "rm", "BOARD_ID MILESTONE", "delete a milestone (its cards keep no milestone)", cmd_milestone_rm, true},
        {"notifications", "read", "[--up-to NOTIFICATION_ID]", "mark your notifications read (all, or up to one)", cmd_notifications_read, true},
        {"notifications", "", "[--unread] [--limit N]", "who assigned or mentioned you, newest first", cmd_notifications, true},
        {"activity", "", "BOARD_ID [--limit N]", "the board's activity feed, newest first", cmd_activity, true},
        {"export", "", "[--workspace ID] [--output FILE]", "write everything you can read, decrypted, as JSON", cmd_export, true},
    };
    return table;
}

}  // namespace mskanban::cli
