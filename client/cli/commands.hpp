// The command table: every `mskanban <group> [<verb>]` names its handler,
// its usage line and a one-line summary, in one list (commands.cpp) that
// dispatch and `mskanban help` both read.
#pragma once

#include <string>
#include <vector>

#include "context.hpp"

namespace mskanban::cli {

using Handler = Status (*)(Ctx &ctx);

struct Command {
    const char *group;  // "card"
    const char *verb;   // "add", or "" for single-word commands
    const char *usage;  // arguments after the command words
    const char *summary;
    Handler run;
    bool needs_login;
};

const std::vector<Command> &command_table();

// Handlers, one file per resource.
Status cmd_register(Ctx &);
Status cmd_login(Ctx &);
Status cmd_logout(Ctx &);
Status cmd_recover(Ctx &);
Status cmd_recovery_rotate(Ctx &);
Status cmd_whoami(Ctx &);
Status cmd_2fa_enroll(Ctx &);
Status cmd_2fa_disable(Ctx &);
Status cmd_2fa_webauthn(Ctx &);
Status cmd_workspace_create(Ctx &);
Status cmd_workspace_list(Ctx &);
Status cmd_workspace_invite(Ctx &);
Status cmd_board_create(Ctx &);
Status cmd_board_list(Ctx &);
Status cmd_board_show(Ctx &);
Status cmd_column_add(Ctx &);
Status cmd_column_rename(Ctx &);
Status cmd_column_rm(Ctx &);
Status cmd_card_add(Ctx &);
Status cmd_card_show(Ctx &);
Status cmd_card_edit(Ctx &);
Status cmd_card_move(Ctx &);
Status cmd_card_archive(Ctx &);
Status cmd_card_rm(Ctx &);
Status cmd_card_attach(Ctx &);
Status cmd_attachment_list(Ctx &);
Status cmd_attachment_get(Ctx &);
Status cmd_attachment_rm(Ctx &);
Status cmd_webhook_add(Ctx &);
Status cmd_webhook_list(Ctx &);
Status cmd_webhook_rm(Ctx &);
Status cmd_webhook_deliveries(Ctx &);
Status cmd_webhook_requeue(Ctx &);
Status cmd_automation_list(Ctx &);
Status cmd_comment_add(Ctx &);
Status cmd_comment_list(Ctx &);
Status cmd_comment_edit(Ctx &);
Status cmd_comment_rm(Ctx &);
Status cmd_checklist_add(Ctx &);
Status cmd_checklist_list(Ctx &);
Status cmd_checklist_rm(Ctx &);
Status cmd_item_add(Ctx &);
Status cmd_item_check(Ctx &);
Status cmd_item_uncheck(Ctx &);
Status cmd_item_rm(Ctx &);
Status cmd_template_save(Ctx &);
Status cmd_template_list(Ctx &);
Status cmd_template_apply(Ctx &);
Status cmd_template_rm(Ctx &);
Status cmd_field_add(Ctx &);
Status cmd_field_list(Ctx &);
Status cmd_field_rm(Ctx &);
Status cmd_card_set(Ctx &);
Status cmd_label_add(Ctx &);
Status cmd_label_list(Ctx &);
Status cmd_label_rename(Ctx &);
Status cmd_label_rm(Ctx &);
Status cmd_card_label(Ctx &);
Status cmd_card_unlabel(Ctx &);
Status cmd_card_assign(Ctx &);
Status cmd_card_unassign(Ctx &);
Status cmd_card_milestone(Ctx &);
Status cmd_milestone_add(Ctx &);
Status cmd_milestone_list(Ctx &);
Status cmd_milestone_rm(Ctx &);
Status cmd_notifications(Ctx &);
Status cmd_notifications_read(Ctx &);
Status cmd_activity(Ctx &);
Status cmd_export(Ctx &);

}  // namespace mskanban::cli
