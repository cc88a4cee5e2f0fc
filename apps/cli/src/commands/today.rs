//! `onward` on its own (or `onward today`): a glance at the day, as the core decides it
//! (`Journal::today`): what's due, what happened lately, what's in play, and how to log
//! something in one line.

use super::reminders;
use crate::error::Result;
use crate::output::{listed_json, plural, record_line, Printed};
use onward_core::Journal;
use serde_json::json;

pub fn run(journal: &mut Journal) -> Result<Printed> {
    let today = journal.today()?;
    let (reminder_json, reminder_lines) = reminders::described(journal, &today.reminders);
    let json = json!({
        "greeting": today.greeting,
        "active_applications": today.active_applications,
        "logged_this_week": today.logged_this_week,
        "reminders": reminder_json,
        "more_reminders": today.more,
        "recent": listed_json(&today.recent),
    });

    let mut text = format!("{}\n", today.greeting);
    if today.recent.is_empty() {
        text.push_str(
            "\nYour journal is empty and ready. Log your first step in one line:\n\
             \n  onward application add --company Acme --role \"Data Engineer\" --applied today\
             \n  onward mood add --valence 3 --word curious\
             \n\nEverything stays on this device. `onward --help` lists all you can do.",
        );
        return Ok(Printed::new(json, text));
    }
    text.push_str(&format!(
        "{} in play · {} logged this week{}\n",
        plural(today.active_applications, "application"),
        plural(today.logged_this_week, "thing"),
        if today.logged_this_week > 0 {
            ": every step counts"
        } else {
            ""
        }
    ));
    if reminder_lines.is_empty() {
        text.push_str("\nNothing due right now.\n");
    } else {
        text.push_str("\nFor today\n");
        text.push_str(&reminder_lines.join("\n"));
        text.push('\n');
        if today.more > 0 {
            text.push_str(&format!(
                "  ({} more when you're ready: onward reminders --all)\n",
                today.more
            ));
        }
    }
    text.push_str("\nLately\n");
    for listed in &today.recent {
        text.push_str(&format!(
            "  {}\n",
            record_line(&listed.record, &listed.title)
        ));
    }
    text.push_str(
        "\nQuick log: onward application add · interview add · rejection add · mood add · entry add",
    );
    Ok(Printed::new(json, text))
}
