//! `onward` on its own (or `onward today`): a glance at the day. What's due, what
//! happened lately, what's in play, and how to log something in one line.

use super::reminders;
use crate::error::Result;
use crate::output::{listed_json, plural, record_line, Printed};
use chrono::{Duration, Local, Timelike};
use onward_core::reminders::Gentleness;
use onward_core::{Filter, Journal};
use serde_json::json;

/// How many recent records the overview shows.
const RECENT: usize = 5;

pub fn run(journal: &mut Journal) -> Result<Printed> {
    let now = journal.now();
    let pulse = journal.pulse(now - Duration::days(7))?;
    let due = journal.reminders()?;
    let cap = Gentleness::default().daily_cap;
    let shown = &due[..due.len().min(cap)];
    let (reminder_json, reminder_lines) = reminders::described(journal, shown);
    let recent = journal.timeline(&Filter {
        limit: RECENT,
        ..Default::default()
    })?;

    let json = json!({
        "active_applications": pulse.active_applications,
        "logged_this_week": pulse.actions_since,
        "reminders": reminder_json,
        "more_reminders": due.len() - shown.len(),
        "recent": listed_json(&recent),
    });

    let mut text = format!("{}\n", greeting(Local::now().hour()));
    if recent.is_empty() {
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
        plural(pulse.active_applications, "application"),
        plural(pulse.actions_since, "thing"),
        if pulse.actions_since > 0 {
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
        if due.len() > shown.len() {
            text.push_str(&format!(
                "  ({} more when you're ready: onward reminders --all)\n",
                due.len() - shown.len()
            ));
        }
    }
    text.push_str("\nLately\n");
    for listed in &recent {
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

fn greeting(hour: u32) -> &'static str {
    match hour {
        5..=11 => "Good morning.",
        12..=17 => "Good afternoon.",
        _ => "Good evening.",
    }
}
