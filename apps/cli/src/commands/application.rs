//! `onward application`: add, list, move through stages, record how it ended, edit.

use super::id_of;
use crate::dates::{self, parse_datetime};
use crate::error::Result;
use crate::output::{entities_json, entity_json, Printed};
use crate::vocab::parser;
use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use onward_core::model::{Application, Entity as _, Outcome, Source, Stage, WorkMode};
use onward_core::vocabulary::Label as _;
use onward_core::{short, Journal};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Log an application (or one saved for later)
    Add(AddArgs),
    /// List applications, newest first
    List(ListArgs),
    /// Move an application to a stage (stages only move forward; the history keeps each step)
    Stage {
        /// The application's id (4 or more characters)
        id: String,
        /// The stage it reached
        #[arg(value_parser = parser::<Stage>())]
        stage: Stage,
        /// When it happened [default: now]
        #[arg(long, value_name = "DATE", value_parser = parse_datetime)]
        at: Option<DateTime<Utc>>,
    },
    /// Record how an application ended (`open` reopens it)
    Outcome {
        /// The application's id (4 or more characters)
        id: String,
        /// How it ended, or `open` to reopen it
        #[arg(value_parser = parser::<Outcome>())]
        outcome: Outcome,
        /// When it happened [default: now]
        #[arg(long, value_name = "DATE", value_parser = parse_datetime)]
        at: Option<DateTime<Utc>>,
    },
    /// Change an application's details
    Edit(EditArgs),
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The company
    #[arg(long)]
    company: String,
    /// The role or job title
    #[arg(long)]
    role: String,
    /// When you applied; without a date, now. Leave it out to save it for later
    #[arg(long, value_name = "DATE", num_args = 0..=1, default_missing_value = "now", value_parser = parse_datetime)]
    applied: Option<DateTime<Utc>>,
    #[command(flatten)]
    details: Details,
}

#[derive(Debug, Args)]
pub struct EditArgs {
    /// The application's id (4 or more characters)
    id: String,
    /// The company
    #[arg(long)]
    company: Option<String>,
    /// The role or job title
    #[arg(long)]
    role: Option<String>,
    /// When you applied
    #[arg(long, value_name = "DATE", value_parser = parse_datetime)]
    applied: Option<DateTime<Utc>>,
    #[command(flatten)]
    details: Details,
}

/// The optional details, the same for `add` and `edit`.
#[derive(Debug, Args)]
pub struct Details {
    /// The job posting
    #[arg(long)]
    url: Option<String>,
    /// Where you found it
    #[arg(long, value_parser = parser::<Source>())]
    source: Option<Source>,
    /// City, region or country
    #[arg(long)]
    location: Option<String>,
    /// Where the work happens
    #[arg(long, value_parser = parser::<WorkMode>())]
    work_mode: Option<WorkMode>,
    /// The salary range, as you'd write it
    #[arg(long)]
    salary: Option<String>,
    /// How much you want it, 1 (lukewarm) to 5 (dream job)
    #[arg(long, value_parser = crate::limits::scale())]
    excitement: Option<u8>,
    /// When you plan to do the next thing for it (you'll get a reminder)
    #[arg(long, value_name = "DATE", value_parser = parse_datetime)]
    next_action: Option<DateTime<Utc>>,
    /// Notes
    #[arg(long)]
    notes: Option<String>,
    /// A tag to add (repeat for more)
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,
}

impl Details {
    fn apply(self, app: &mut Application) {
        let set = |field: &mut Option<String>, value: Option<String>| {
            if value.is_some() {
                *field = value.filter(|v| !v.trim().is_empty());
            }
        };
        set(&mut app.url, self.url);
        set(&mut app.location, self.location);
        set(&mut app.salary, self.salary);
        app.source = self.source.or(app.source);
        app.work_mode = self.work_mode.or(app.work_mode);
        app.excitement = self.excitement.or(app.excitement);
        app.next_action_at = self.next_action.or(app.next_action_at);
        if let Some(notes) = self.notes {
            app.notes = notes;
        }
        for tag in self.tags {
            let tag = tag.trim().to_string();
            if !tag.is_empty() && !app.meta.tags.contains(&tag) {
                app.meta.tags.push(tag);
            }
        }
    }
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only the ones still in play
    #[arg(long)]
    active: bool,
    /// Only those at this stage
    #[arg(long, value_parser = parser::<Stage>())]
    stage: Option<Stage>,
    /// Only those with this outcome
    #[arg(long, value_parser = parser::<Outcome>())]
    outcome: Option<Outcome>,
}

pub fn run(cmd: Command, journal: &mut Journal) -> Result<Printed> {
    match cmd {
        Command::Add(args) => add(args, journal),
        Command::List(args) => list(args, journal),
        Command::Stage { id, stage, at } => {
            let app = journal.move_stage(&id_of::<Application>(journal, &id)?, stage, at)?;
            let human = format!("Moved on: {}, now at {}.", name(&app), stage.label());
            Ok(Printed::new(entity_json(&app), human))
        }
        Command::Outcome { id, outcome, at } => {
            let app = journal.set_outcome(&id_of::<Application>(journal, &id)?, outcome, at)?;
            Ok(Printed::new(entity_json(&app), outcome_note(&app)))
        }
        Command::Edit(args) => {
            let id = id_of::<Application>(journal, &args.id)?;
            let app = journal.update::<Application>(&id, |app| {
                if let Some(company) = args.company {
                    app.company = company;
                }
                if let Some(role) = args.role {
                    app.role = role;
                }
                if args.applied.is_some() {
                    app.applied_at = args.applied;
                }
                args.details.apply(app);
                Ok(())
            })?;
            Ok(Printed::new(
                entity_json(&app),
                format!("Updated {}.", name(&app)),
            ))
        }
    }
}

fn add(args: AddArgs, journal: &mut Journal) -> Result<Printed> {
    let mut app = Application::new(args.company.trim(), args.role.trim());
    app.applied_at = args.applied;
    args.details.apply(&mut app);
    let app = journal.add_application(app)?;
    let human = match app.applied_at {
        Some(at) => format!(
            "Logged. {}, applied {}.\nid {}  ·  a gentle follow-up reminder comes a week after applying.",
            name(&app),
            dates::show_date(at),
            short(&app.meta.id)
        ),
        None => format!(
            "Saved for later. {}.\nid {}  ·  when you apply: onward application stage {} applied",
            name(&app),
            short(&app.meta.id),
            short(&app.meta.id)
        ),
    };
    Ok(Printed::new(entity_json(&app), human))
}

fn list(args: ListArgs, journal: &mut Journal) -> Result<Printed> {
    let apps: Vec<Application> = journal
        .list::<Application>()?
        .into_iter()
        .filter(|a| !args.active || a.is_active())
        .filter(|a| args.stage.is_none_or(|s| a.stage == s))
        .filter(|a| args.outcome.is_none_or(|o| a.outcome == o))
        .collect();
    let json = entities_json(&apps);
    let human = if apps.is_empty() {
        "No applications here yet. `onward application add --company C --role R --applied` logs one.".to_string()
    } else {
        apps.iter().map(line).collect::<Vec<_>>().join("\n")
    };
    Ok(Printed::new(json, human))
}

/// "Data Engineer at Acme": the core's title.
pub fn name(app: &Application) -> String {
    app.title()
}

fn line(app: &Application) -> String {
    let when = app
        .applied_at
        .map(|at| format!("applied {}", dates::show_date(at)))
        .unwrap_or_else(|| "saved".to_string());
    let outcome = match app.outcome {
        Outcome::Open => String::new(),
        other => format!(" · {}", other.label()),
    };
    format!(
        "{}  {:<40}  {}{}  ({when})",
        short(&app.meta.id),
        name(app),
        app.stage.label(),
        outcome
    )
}

/// What recording an outcome says: warm, and never a verdict.
fn outcome_note(app: &Application) -> String {
    let id = short(&app.meta.id);
    match app.outcome {
        Outcome::Open => format!("Reopened. {} is in play again.", name(app)),
        Outcome::Rejected => format!(
            "Noted: a no from {}. That says more about their one opening than about you.\n\
             To keep the details and see a few small next steps: onward rejection add --application {id}",
            name(app)
        ),
        Outcome::Withdrawn => format!("Noted: you withdrew from {}. Choosing where to spend your energy is a good skill.", name(app)),
        Outcome::NoResponse => format!(
            "Noted: no answer from {}. Silence is common and says little about you; if they write later, `onward application outcome {id} open` reopens it.",
            name(app)
        ),
        Outcome::OfferDeclined => format!("Noted: you turned down the offer from {}. Knowing what you want counts.", name(app)),
        Outcome::Hired => format!("Congratulations! {}: you got it.", name(app)),
    }
}
