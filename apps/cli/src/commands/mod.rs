//! The command line: one module per noun, each with its clap arguments and what it
//! does. [`run`] opens the journal and hands the command to its module.

mod activity;
mod application;
mod completions;
mod contact;
mod devices;
mod doctor;
mod entry;
mod export;
mod goal;
mod import;
mod interview;
mod message;
mod mood;
mod records;
mod rejection;
mod reminders;
mod stats;
mod sync;
mod today;

use crate::error::{Failure, Result};
use crate::output::Printed;
use clap::{Parser, Subcommand};
use onward_core::model::Entity;
use onward_core::Journal;
use std::path::PathBuf;

/// Onward: a private job-search journal that stays on your devices.
///
/// Log applications, interviews and the occasional no; write down what you learned;
/// look after yourself on the hard days; keep moving forward.
#[derive(Debug, Parser)]
#[command(name = "onward", version, propagate_version = true)]
#[command(after_help = "Examples:
  onward application add --company Acme --role \"Data Engineer\" --applied
  onward interview add --application 3f2a --kind technical --at \"tomorrow\"
  onward rejection add --application 3f2a --reason stronger-candidate
  onward entry add --kind debrief --interview 9c1e
  onward reminders

Ids are shown with 8 characters; any unique start of 4 or more works.")]
pub struct Cli {
    /// The journal file [default: journal.onward in your data directory]
    #[arg(
        long,
        global = true,
        env = "ONWARD_JOURNAL",
        hide_env_values = true,
        value_name = "PATH",
        help_heading = "Global options"
    )]
    pub journal: Option<PathBuf>,

    /// Print machine-readable JSON on stdout
    #[arg(long, global = true, help_heading = "Global options")]
    pub json: bool,

    /// Your time zone, an IANA name such as Europe/Berlin [default: $TZ, else the system's]
    #[arg(
        long,
        global = true,
        env = "ONWARD_TIME_ZONE",
        value_name = "NAME",
        help_heading = "Global options"
    )]
    pub time_zone: Option<String>,

    /// What to do [default: today, a glance at the day]
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// A glance at the day: what's due, what happened lately (the default)
    Today,
    /// Applications: the opportunities you pursue
    #[command(subcommand, visible_alias = "app")]
    Application(application::Command),
    /// Interviews, with who you met and what they asked
    #[command(subcommand)]
    Interview(interview::Command),
    /// People: recruiters, interviewers, friends
    #[command(subcommand)]
    Contact(contact::Command),
    /// A no (or a silence), and the next small steps after it
    #[command(subcommand)]
    Rejection(rejection::Command),
    /// Thank-you notes, feedback requests, follow-ups and networking notes
    #[command(subcommand)]
    Message(message::Command),
    /// Journal entries: free writing or answers to a prompt set
    #[command(subcommand)]
    Entry(entry::Command),
    /// The writing prompts of each kind of entry, with their ids
    Prompts(entry::PromptsArgs),
    /// A quick mood check-in
    #[command(subcommand)]
    Mood(mood::Command),
    /// Restorative activities: stepping back for a day
    #[command(subcommand)]
    Activity(activity::Command),
    /// Growth goals: courses, skills, people to meet
    #[command(subcommand)]
    Goal(goal::Command),
    /// Gentle reminders: what is due, done or for later
    Reminders(reminders::Args),
    /// The big picture: effort per week, how far applications went, mood
    Stats(stats::Args),
    /// Everything, newest first
    Timeline(records::TimelineArgs),
    /// One record with all its fields and links
    Show(records::ShowArgs),
    /// Full-text search over everything you wrote
    Search(records::SearchArgs),
    /// Delete a record (it can be restored)
    Delete(records::IdArgs),
    /// Bring back a deleted record
    Restore(records::IdArgs),
    /// Add or remove tags on any record
    Tag(records::TagArgs),
    /// Check the journal file and its index
    Doctor(doctor::DoctorArgs),
    /// Merge another copy of the journal (from another device)
    Merge(doctor::MergeArgs),
    /// Export everything: JSON, CSV, Markdown, a calendar (ICS) or the Automerge document
    Export(export::Args),
    /// Import records from an Onward JSON export, or applications from a CSV file
    Import(import::Args),
    /// Sync with your other devices through an end-to-end encrypted relay
    #[command(subcommand)]
    Sync(sync::Command),
    /// The devices that sync this journal; remove a lost one
    Devices(devices::DevicesArgs),
    /// Open your journal in the browser, served on this machine only (Ctrl-C stops it)
    Desktop(onward_desktop::ServeArgs),
    /// Print shell completions
    Completions(completions::Args),
}

/// What a command printed, and the journal it used, for tidying after the output is
/// written (see [`Journal::compact_if_due`]).
pub struct Ran {
    pub printed: Printed,
    pub journal: Option<Journal>,
}

impl From<Printed> for Ran {
    fn from(printed: Printed) -> Ran {
        Ran {
            printed,
            journal: None,
        }
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<Ran> {
    let command = cli.command.unwrap_or(Command::Today);
    match command {
        Command::Completions(args) => return Ok(completions::run(args).into()),
        Command::Prompts(args) => return Ok(entry::prompts(args).into()),
        _ => {}
    }
    let path = journal_path(cli.journal)?;
    if let Command::Doctor(doctor::DoctorArgs {
        recover: Some(into),
        ..
    }) = &command
    {
        // The journal may be too damaged to open: it is only read, never opened.
        return doctor::recover(&path, into).map(Ran::from);
    }
    // A dry run on a journal that does not exist yet looks at an empty one, and leaves
    // no file behind.
    let scratch = match &command {
        Command::Import(args) if args.dry_run() && !path.exists() => Some(
            tempfile::tempdir()
                .map_err(|e| Failure::new(format!("could not make a scratch folder: {e}")))?,
        ),
        _ => None,
    };
    let open_at = match &scratch {
        Some(dir) => dir.path().join("journal.onward"),
        None => path,
    };
    let (mut journal, keys) = onward_local::open(&open_at, crate::dates::zone())?;
    // Sync shares the journal with its network steps, so it takes it whole.
    let command = match command {
        Command::Sync(cmd) => return sync::run(cmd, journal, &keys).map(Ran::from),
        Command::Devices(args) => return devices::run(args, journal).map(Ran::from),
        Command::Desktop(args) => {
            onward_desktop::serve(journal, &args).map_err(Failure::new)?;
            return Ok(Printed::new(serde_json::Value::Null, "").into());
        }
        other => other,
    };
    let j = &mut journal;
    let printed = match command {
        Command::Today => today::run(j),
        Command::Application(cmd) => application::run(cmd, j),
        Command::Interview(cmd) => interview::run(cmd, j),
        Command::Contact(cmd) => contact::run(cmd, j),
        Command::Rejection(cmd) => rejection::run(cmd, j),
        Command::Message(cmd) => message::run(cmd, j),
        Command::Entry(cmd) => entry::run(cmd, j),
        Command::Mood(cmd) => mood::run(cmd, j),
        Command::Activity(cmd) => activity::run(cmd, j),
        Command::Goal(cmd) => goal::run(cmd, j),
        Command::Reminders(args) => reminders::run(args, j),
        Command::Stats(args) => stats::run(args, j),
        Command::Timeline(args) => records::timeline(args, j),
        Command::Show(args) => records::show(args, j),
        Command::Search(args) => records::search(args, j),
        Command::Delete(args) => records::delete(args, j),
        Command::Restore(args) => records::restore(args, j),
        Command::Tag(args) => records::tag(args, j),
        Command::Doctor(args) => doctor::doctor(args, j),
        Command::Merge(args) => doctor::merge(args, j),
        Command::Export(args) => export::run(args, cli.json, j),
        Command::Import(args) => import::run(args, j),
        Command::Completions(_)
        | Command::Prompts(_)
        | Command::Sync(_)
        | Command::Devices(_)
        | Command::Desktop(_) => {
            unreachable!("handled above")
        }
    }?;
    Ok(Ran {
        printed,
        // A scratch journal (a dry run) is thrown away: nothing to tidy.
        journal: scratch.is_none().then_some(journal),
    })
}

/// `--journal`, else `$ONWARD_JOURNAL` (both through clap), else the data directory.
pub fn journal_path(given: Option<PathBuf>) -> Result<PathBuf> {
    Ok(onward_local::journal_path(given)?)
}

/// The full id of a record of kind `E`, from an id or a prefix; another kind is refused
/// with a message naming both.
pub fn id_of<E: Entity>(journal: &Journal, id: &str) -> Result<String> {
    Ok(journal.get::<E>(id)?.id().to_string())
}

/// [`id_of`] for an optional flag.
pub fn maybe_id_of<E: Entity>(journal: &Journal, id: Option<&str>) -> Result<Option<String>> {
    id.map(|id| id_of::<E>(journal, id)).transpose()
}

/// A contact by id (or prefix), or else by name, created when new.
pub fn contact_for(
    journal: &mut Journal,
    who: &str,
    company: Option<&str>,
    role: Option<onward_core::model::ContactRole>,
) -> Result<onward_core::model::Contact> {
    if who.trim().is_empty() {
        return Err(Failure::new("a contact needs a name or an id"));
    }
    Ok(journal.contact_for(who, company, role)?)
}
