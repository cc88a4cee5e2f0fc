//! `onward goal`: moving forward, one course, skill or conversation at a time.

use super::id_of;
use crate::dates::{self, parse_datetime};
use crate::error::Result;
use crate::output::{entity_json, words, Printed};
use crate::vocab::parser;
use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use onward_core::model::{Goal, GoalKind, GoalStatus};
use onward_core::{short, Journal};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Set a goal, perhaps grown from feedback or a reflection
    Add(AddArgs),
    /// How far along it is, in percent
    Progress {
        /// The goal's id (4 or more characters)
        id: String,
        /// 0 to 100
        #[arg(value_parser = crate::limits::percent())]
        percent: u8,
    },
    /// Open, in progress, done, or dropped (letting go is a fine decision too)
    Status {
        /// The goal's id (4 or more characters)
        id: String,
        #[arg(value_parser = parser::<GoalStatus>())]
        status: GoalStatus,
    },
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// What kind of goal
    #[arg(long, value_parser = parser::<GoalKind>())]
    kind: GoalKind,
    /// The goal, in a few words
    #[arg(long)]
    title: String,
    /// The record it grew from: a rejection's feedback, an entry, ...
    #[arg(long, value_name = "RECORD_ID")]
    origin: Option<String>,
    /// When you'd like it done
    #[arg(long, value_name = "DATE", value_parser = parse_datetime)]
    due: Option<DateTime<Utc>>,
    /// Notes
    #[arg(long)]
    notes: Option<String>,
}

pub fn run(cmd: Command, journal: &mut Journal) -> Result<Printed> {
    match cmd {
        Command::Add(args) => {
            let mut goal = Goal::new(args.kind, args.title.trim());
            goal.origin_id = args.origin.map(|id| journal.resolve(&id)).transpose()?;
            goal.due = args.due;
            goal.notes = args.notes.unwrap_or_default();
            let goal = journal.create(goal)?;
            let due = goal
                .due
                .map(|d| format!(", by {}", dates::show_date(d)))
                .unwrap_or_default();
            let human = format!(
                "A new goal: {}{due}. One step at a time.\nid {}",
                goal.title,
                short(&goal.meta.id)
            );
            Ok(Printed::new(entity_json(&goal), human))
        }
        Command::Progress { id, percent } => {
            let id = id_of::<Goal>(journal, &id)?;
            let goal = journal.update::<Goal>(&id, |g| {
                g.set_progress(percent);
                Ok(())
            })?;
            let human = if goal.status == GoalStatus::Done {
                format!("{}: done. Well done.", goal.title)
            } else {
                format!("{}: {}% there.", goal.title, goal.progress)
            };
            Ok(Printed::new(entity_json(&goal), human))
        }
        Command::Status { id, status } => {
            let id = id_of::<Goal>(journal, &id)?;
            let goal = journal.update::<Goal>(&id, |g| {
                g.set_status(status);
                Ok(())
            })?;
            let human = match status {
                GoalStatus::Done => format!("{}: done. Well done.", goal.title),
                GoalStatus::Dropped => {
                    format!("{}: let go. Making room is a fine decision.", goal.title)
                }
                other => format!("{}: {}.", goal.title, words(other.as_str())),
            };
            Ok(Printed::new(entity_json(&goal), human))
        }
    }
}
