//! `onward activity`: stepping back for a day, and how it felt before and after.

use super::{contact_for, id_of};
use crate::dates::{self, parse_datetime};
use crate::error::Result;
use crate::output::{entity_json, shell_quote, Printed};
use crate::vocab::{parser, Vocabulary};
use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use onward_core::model::{Activity, ActivityCategory};
use onward_core::{short, Journal};
use serde_json::json;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Plan or log something restorative
    Add(AddArgs),
    /// Mark a planned activity as done
    Done {
        /// The activity's id (4 or more characters)
        id: String,
        /// How you feel afterwards, 1 (heavy) to 5 (bright)
        #[arg(long, value_parser = crate::limits::scale())]
        mood_after: Option<u8>,
        /// When [default: now]
        #[arg(long, value_name = "DATE", value_parser = parse_datetime)]
        at: Option<DateTime<Utc>>,
    },
    /// One restorative idea, from what you haven't done lately
    Suggest,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// What kind of break
    #[arg(long, value_parser = parser::<ActivityCategory>())]
    category: ActivityCategory,
    /// What you'll do (or did)
    #[arg(long)]
    description: String,
    /// Who with: a name (kept as a contact) or a contact's id
    #[arg(long, value_name = "NAME_OR_ID")]
    contact: Option<String>,
    /// When you plan to do it
    #[arg(long, value_name = "DATE", value_parser = parse_datetime)]
    planned: Option<DateTime<Utc>>,
    /// It's done; without a date, now
    #[arg(long, value_name = "DATE", num_args = 0..=1, default_missing_value = "now", value_parser = parse_datetime)]
    done: Option<DateTime<Utc>>,
    /// How you felt before, 1 (heavy) to 5 (bright)
    #[arg(long, value_parser = crate::limits::scale())]
    mood_before: Option<u8>,
    /// How you felt after, 1 (heavy) to 5 (bright)
    #[arg(long, value_parser = crate::limits::scale())]
    mood_after: Option<u8>,
}

/// The command that plans a suggested activity for tomorrow.
pub fn plan_command(category: ActivityCategory, idea: &str) -> String {
    format!(
        "onward activity add --category {} --description {} --planned tomorrow",
        category.spoken(),
        shell_quote(idea)
    )
}

pub fn run(cmd: Command, journal: &mut Journal) -> Result<Printed> {
    match cmd {
        Command::Add(args) => add(args, journal),
        Command::Done { id, mood_after, at } => {
            let at = at.unwrap_or_else(|| journal.now());
            let id = id_of::<Activity>(journal, &id)?;
            let activity = journal.update::<Activity>(&id, |a| {
                a.mark_done(at, mood_after);
                Ok(())
            })?;
            Ok(Printed::new(entity_json(&activity), done_note(&activity)))
        }
        Command::Suggest => {
            let idea = journal.step_back_idea()?;
            let command = plan_command(idea.category, idea.text);
            let json = json!({ "category": idea.category, "text": idea.text, "command": command });
            Ok(Printed::new(json, format!("{}\n  {command}", idea.text)))
        }
    }
}

fn add(args: AddArgs, journal: &mut Journal) -> Result<Printed> {
    let mut activity = Activity::new(args.category, args.description.trim());
    activity.planned_for = args.planned;
    activity.done_at = args.done;
    activity.mood_before = args.mood_before;
    activity.mood_after = args.mood_after;
    if let Some(who) = &args.contact {
        activity.contact_id = Some(contact_for(journal, who, None, None)?.meta.id);
    }
    let activity = journal.create(activity)?;
    let id = short(&activity.meta.id);
    let human = match (activity.done_at, activity.planned_for) {
        (Some(_), _) => done_note(&activity),
        (None, Some(at)) => format!(
            "Planned for {}: {}. Enjoy it.\nid {id}  ·  afterwards: onward activity done {id} --mood-after N",
            dates::show(at),
            activity.description
        ),
        (None, None) => format!("Noted: {}.\nid {id}", activity.description),
    };
    Ok(Printed::new(entity_json(&activity), human))
}

fn done_note(a: &Activity) -> String {
    match (a.mood_before, a.mood_after) {
        (Some(before), Some(after)) if after > before => {
            format!(
                "Done: {}. Your mood went from {before} to {after}: worth remembering.",
                a.description
            )
        }
        (Some(before), Some(after)) => format!(
            "Done: {}. Mood {before} before, {after} after.",
            a.description
        ),
        _ => format!("Done: {}. Good for you.", a.description),
    }
}
