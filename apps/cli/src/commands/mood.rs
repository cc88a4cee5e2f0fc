//! `onward mood add`: a check-in in one line.

use super::id_of;
use crate::dates::parse_datetime;
use crate::error::Result;
use crate::output::{entity_json, Printed};
use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use onward_core::model::{Application, Entity, Mood, Rejection};
use onward_core::{short, Journal};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Note how you feel: pleasantness, energy, a few words
    Add(AddArgs),
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// How pleasant things feel, 1 (heavy) to 5 (bright)
    #[arg(long, value_parser = crate::limits::scale())]
    valence: u8,
    /// How much energy you have, 1 (drained) to 5 (energised)
    #[arg(long, value_parser = crate::limits::scale())]
    energy: Option<u8>,
    /// A word for it (repeat for more)
    #[arg(long = "word", value_name = "WORD")]
    words: Vec<String>,
    /// A note
    #[arg(long)]
    note: Option<String>,
    /// The application it is about
    #[arg(long, value_name = "ID")]
    application: Option<String>,
    /// The rejection it is about
    #[arg(long, value_name = "ID")]
    rejection: Option<String>,
    /// When you felt it [default: now]
    #[arg(long, value_name = "DATE", value_parser = parse_datetime)]
    at: Option<DateTime<Utc>>,
}

/// The command for a check-in after a rejection.
pub fn check_in_command(rejection_id: &str) -> String {
    format!(
        "onward mood add --rejection {} --valence 3",
        short(rejection_id)
    )
}

pub fn run(cmd: Command, journal: &mut Journal) -> Result<Printed> {
    let Command::Add(args) = cmd;
    let mut mood = Mood::new(args.valence, args.at.unwrap_or_else(|| journal.now()));
    mood.energy = args.energy;
    mood.words = args
        .words
        .iter()
        .map(|w| w.trim().to_string())
        .filter(|w| !w.is_empty())
        .collect();
    mood.note = args.note.unwrap_or_default();
    mood.application_id = args
        .application
        .map(|id| id_of::<Application>(journal, &id))
        .transpose()?;
    mood.rejection_id = args
        .rejection
        .map(|id| id_of::<Rejection>(journal, &id))
        .transpose()?;
    let mood = journal.log_mood(mood)?;
    let thanks = if mood.valence <= 2 {
        "Thank you for checking in. Heavy days pass; be kind to yourself today."
    } else {
        "Thank you for checking in."
    };
    Ok(Printed::new(
        entity_json(&mood),
        format!("{}. {thanks}", mood.title()),
    ))
}
