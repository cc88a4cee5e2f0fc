//! `onward reminders`: what is due, gently: a few at a time, never a pile (as many as
//! Today shows); and what a notifier would post now.

use super::{entry, message, mood};
use crate::dates::{self, parse_datetime, parse_duration};
use crate::error::{Failure, Result};
use crate::output::Printed;
use chrono::{DateTime, Duration, Utc};
use clap::Subcommand;
use onward_core::model::{EntryKind, Interview, MessageKind};
use onward_core::notify::Posted;
use onward_core::reminders::{Reminder, Rule};
use onward_core::today;
use onward_core::{short, Journal};
use serde_json::{json, Value};

/// How far ahead reminders are looked for: ten years.
const MAX_DAYS: u32 = 3660;

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    action: Option<Action>,
    /// Also show what comes up in the next DAYS days (up to ten years)
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(0..=MAX_DAYS as i64))]
    upcoming: Option<u32>,
    /// Show every reminder, not only the first few
    #[arg(long)]
    all: bool,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// Mark a reminder as done
    Done {
        /// The reminder's key as listed (follow_up:3f2a9c1e), or a unique start of it
        key: String,
    },
    /// Put a reminder off for a while [default: a day]
    Snooze {
        /// The reminder's key as listed (follow_up:3f2a9c1e), or a unique start of it
        key: String,
        /// Until when: a date such as tomorrow or "2026-11-04 09:00"
        #[arg(long, value_name = "DATE", value_parser = parse_datetime, conflicts_with = "for_")]
        until: Option<DateTime<Utc>>,
        /// For how long: 2d, 3h, 1w
        #[arg(long = "for", value_name = "DURATION", value_parser = parse_duration)]
        for_: Option<Duration>,
    },
    /// What a desktop notifier would post now: none in quiet hours (21:00-08:00), at
    /// most three a day, each reminder once. Prints the notices (lock-screen words) and
    /// when to ask again; pass back what was posted with --posted
    Notify {
        /// A notice posted before, as KEY@TIME (RFC 3339): repeat for each one posted
        /// in the last day or so
        #[arg(long = "posted", value_name = "KEY@TIME", value_parser = parse_posted)]
        posted: Vec<Posted>,
    },
}

/// `follow_up:3f2a…@2026-11-04T09:00:00Z` as a posted notice.
fn parse_posted(text: &str) -> std::result::Result<Posted, String> {
    let (key, at) = text.rsplit_once('@').ok_or_else(|| {
        "write it as KEY@TIME, e.g. follow_up:3f2a9c1e@2026-11-04T09:00:00Z".to_string()
    })?;
    let at = DateTime::parse_from_rfc3339(at)
        .map_err(|e| format!("\"{at}\" is not an RFC 3339 time ({e})"))?;
    Ok(Posted {
        key: key.to_string(),
        at: at.with_timezone(&Utc),
    })
}

pub fn run(args: Args, journal: &mut Journal) -> Result<Printed> {
    match args.action {
        Some(Action::Done { key }) => {
            let key = journal.complete_reminder(&key)?;
            Ok(Printed::new(
                json!({ "key": key, "status": "done" }),
                "Done. Nicely handled.",
            ))
        }
        Some(Action::Snooze { key, until, for_ }) => {
            let key = journal.resolve_reminder(&key)?;
            let until = match until {
                Some(until) => until,
                None => dates::shift(journal.now(), for_.unwrap_or(Duration::days(1)))
                    .map_err(Failure::new)?,
            };
            journal.snooze_reminder(&key, until)?;
            Ok(Printed::new(
                json!({ "key": key, "status": "snoozed", "until": until }),
                format!(
                    "Snoozed until {}. It'll come back then.",
                    dates::show(until)
                ),
            ))
        }
        Some(Action::Notify { posted }) => notify(&posted, journal),
        None => list(args.upcoming, args.all, journal),
    }
}

fn notify(posted: &[Posted], journal: &Journal) -> Result<Printed> {
    let decided = journal.notifications(posted)?;
    let mut text = if decided.notices.is_empty() {
        "Nothing to post now.".to_string()
    } else {
        decided
            .notices
            .iter()
            .map(|n| format!("{}\n  {}\n  ({})", n.title, n.text, n.key))
            .collect::<Vec<_>>()
            .join("\n")
    };
    if let Some(at) = decided.next_check {
        text.push_str(&format!("\n\nAsk again from {}.", dates::show(at)));
    }
    Ok(Printed::new(
        serde_json::to_value(&decided).unwrap_or(Value::Null),
        text,
    ))
}

fn list(upcoming: Option<u32>, all: bool, journal: &mut Journal) -> Result<Printed> {
    let due = match upcoming {
        Some(days) => journal.reminders_within(Duration::days(days.into()))?,
        None => journal.reminders()?,
    };
    let empty = due.is_empty();
    let (shown, more) = if all { (due, 0) } else { today::capped(due) };
    let (json_rows, lines) = described(journal, &shown);
    let human = if empty {
        "Nothing due. Enjoy the quiet.".to_string()
    } else {
        let mut text = lines.join("\n");
        if more > 0 {
            text.push_str(&format!(
                "\n\n{more} more when you're ready: onward reminders --all"
            ));
        }
        text.push_str("\n\nDone with one: onward reminders done KEY  ·  later: onward reminders snooze KEY --for 2d");
        text
    };
    Ok(Printed::new(Value::Array(json_rows), human))
}

/// Each reminder as JSON (with its short key and the command that acts on it) and as
/// lines for people.
pub fn described(journal: &Journal, reminders: &[Reminder]) -> (Vec<Value>, Vec<String>) {
    let now = journal.now();
    let mut json_rows = Vec::new();
    let mut lines = Vec::new();
    for r in reminders {
        let command = command_for(journal, r);
        let mut row = serde_json::to_value(r).unwrap_or(Value::Null);
        row["short_key"] = json!(short_key(r));
        row["command"] = json!(command);
        json_rows.push(row);
        let when = if r.due_at > now {
            format!("  (from {})", dates::show(r.due_at))
        } else {
            String::new()
        };
        lines.push(format!(
            "{}  {}{when}\n    → {command}",
            short_key(r),
            r.title
        ));
    }
    (json_rows, lines)
}

/// A key as people type it: `follow_up:3f2a9c1e` (any unique start of the key works).
fn short_key(r: &Reminder) -> String {
    match &r.target_id {
        Some(id) => format!("{}:{}", r.rule, short(id)),
        None => r.key.clone(),
    }
}

/// The command that does what a reminder asks.
fn command_for(journal: &Journal, r: &Reminder) -> String {
    let target = r.target_id.as_deref().unwrap_or("");
    match r.rule {
        Rule::FollowUp => message::draft_command(MessageKind::FollowUp, Some(target), None),
        Rule::ThankYou => {
            let app = journal
                .get::<Interview>(target)
                .map(|i| i.application_id)
                .ok();
            message::draft_command(MessageKind::ThankYou, app.as_deref(), None)
        }
        Rule::Debrief => format!(
            "{} --interview {}",
            entry::add_command(EntryKind::Debrief),
            short(target)
        ),
        Rule::CheckIn => mood::check_in_command(target),
        Rule::StepBack => "onward activity suggest".to_string(),
        Rule::WeeklyReview => entry::add_command(EntryKind::WeeklyReview),
        Rule::NextAction => format!("onward show {}", short(target)),
    }
}
