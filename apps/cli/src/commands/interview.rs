//! `onward interview`: log a conversation with who you met and what they asked.

use super::{application::name, contact_for, id_of};
use crate::dates::{self, parse_datetime};
use crate::error::Result;
use crate::output::{entity_json, Printed};
use crate::vocab::parser;
use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use onward_core::model::{Application, ContactRole, Interview, InterviewKind};
use onward_core::vocabulary::Label as _;
use onward_core::{short, Journal};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Log an interview; the application moves to the matching stage
    Add(AddArgs),
    /// Change an interview: kind, round, time, rating, notes; add interviewers or questions
    Edit(EditArgs),
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The application's id (4 or more characters)
    #[arg(long, value_name = "ID")]
    application: String,
    /// What kind of conversation it is
    #[arg(long, value_parser = parser::<InterviewKind>())]
    kind: InterviewKind,
    /// Which round: 1 for the first conversation [default: 1]
    #[arg(long, value_parser = crate::limits::round())]
    round: Option<u32>,
    /// When it is (or was): "2026-11-02 14:30", tomorrow, ...
    #[arg(long, value_name = "DATETIME", value_parser = parse_datetime)]
    at: DateTime<Utc>,
    #[command(flatten)]
    more: More,
}

#[derive(Debug, Args)]
pub struct EditArgs {
    /// The interview's id (4 or more characters)
    id: String,
    /// What kind of conversation it is
    #[arg(long, value_parser = parser::<InterviewKind>())]
    kind: Option<InterviewKind>,
    /// Which round
    #[arg(long, value_parser = crate::limits::round())]
    round: Option<u32>,
    /// When it is (or was)
    #[arg(long, value_name = "DATETIME", value_parser = parse_datetime)]
    at: Option<DateTime<Utc>>,
    #[command(flatten)]
    more: More,
}

#[derive(Debug, Args)]
pub struct More {
    /// Someone you met: a name (kept as a contact) or a contact's id. Repeat for more
    #[arg(long = "interviewer", value_name = "NAME_OR_CONTACT_ID")]
    interviewers: Vec<String>,
    /// A question they asked (repeat for more)
    #[arg(long = "question", value_name = "Q")]
    questions: Vec<String>,
    /// How it felt, 1 to 5
    #[arg(long, value_parser = crate::limits::scale())]
    rating: Option<u8>,
    /// Notes
    #[arg(long)]
    notes: Option<String>,
}

pub fn run(cmd: Command, journal: &mut Journal) -> Result<Printed> {
    match cmd {
        Command::Add(args) => add(args, journal),
        Command::Edit(args) => edit(args, journal),
    }
}

fn add(args: AddArgs, journal: &mut Journal) -> Result<Printed> {
    let application = id_of::<Application>(journal, &args.application)?;
    let mut interview = Interview::new(application, args.kind, args.at);
    interview.round = args.round.unwrap_or(1);
    interview.questions = clean(args.more.questions);
    interview.self_rating = args.more.rating;
    interview.notes = args.more.notes.unwrap_or_default();
    let interview = journal.log_interview(interview, &args.more.interviewers)?;
    let app: Application = journal.get(&interview.application_id)?;
    let mut human = format!(
        "Logged. {} for {}, {}{}.",
        interview_name(&interview),
        name(&app),
        dates::show(interview.scheduled_at),
        with_whom(journal, &interview)?
    );
    let id = short(&interview.meta.id);
    human.push_str(&format!(
        "\nid {id}  ·  afterwards, a debrief while it's fresh: onward entry add --kind debrief --interview {id}"
    ));
    Ok(Printed::new(entity_json(&interview), human))
}

fn edit(args: EditArgs, journal: &mut Journal) -> Result<Printed> {
    let current: Interview = journal.get(&id_of::<Interview>(journal, &args.id)?)?;
    let app: Application = journal.get(&current.application_id)?;
    let mut people = Vec::new();
    for who in &args.more.interviewers {
        let contact = contact_for(
            journal,
            who,
            Some(&app.company),
            Some(ContactRole::Interviewer),
        )?;
        people.push(contact.meta.id);
    }
    let interview = journal.update::<Interview>(&current.meta.id, |i| {
        i.kind = args.kind.unwrap_or(i.kind);
        i.round = args.round.unwrap_or(i.round);
        i.scheduled_at = args.at.unwrap_or(i.scheduled_at);
        i.self_rating = args.more.rating.or(i.self_rating);
        if let Some(notes) = args.more.notes {
            i.notes = notes;
        }
        i.questions.extend(clean(args.more.questions));
        for id in people {
            if !i.interviewer_ids.contains(&id) {
                i.interviewer_ids.push(id);
            }
        }
        Ok(())
    })?;
    Ok(Printed::new(
        entity_json(&interview),
        format!("Updated {} for {}.", interview_name(&interview), name(&app)),
    ))
}

/// "Round 2 · technical interview"
fn interview_name(i: &Interview) -> String {
    format!("Round {} · {} interview", i.round, i.kind.label())
}

/// " with Dana Lee and Sam" (or nothing).
fn with_whom(journal: &Journal, interview: &Interview) -> Result<String> {
    let names: Vec<String> = interview
        .interviewer_ids
        .iter()
        .map(|id| {
            journal
                .get::<onward_core::model::Contact>(id)
                .map(|c| c.name)
        })
        .collect::<Result<_, _>>()?;
    Ok(match names.as_slice() {
        [] => String::new(),
        [one] => format!(" with {one}"),
        [rest @ .., last] => format!(" with {} and {last}", rest.join(", ")),
    })
}

fn clean(texts: Vec<String>) -> Vec<String> {
    texts
        .into_iter()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect()
}
