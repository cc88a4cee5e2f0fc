//! `onward entry` and `onward prompts`: journal entries, written as free text or as
//! answers to the built-in prompt sets, in a flag, from stdin or in your editor.

mod form;
mod prompts;

pub use prompts::{prompts, PromptsArgs};

use super::{id_of, maybe_id_of};
use crate::dates::parse_datetime;
use crate::error::{Failure, Result};
use crate::output::{entity_json, words, Printed};
use crate::text_input;
use crate::vocab::{parser, Vocabulary};
use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use form::{interview_context, parse_form, render_form, Written};
use onward_core::model::{Application, Entry, EntryKind, Interview, Perspective, Rejection};
use onward_core::prompts::{for_kind, PromptSet};
use onward_core::{short, Journal};
use serde_json::json;
use std::collections::BTreeMap;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write an entry: with --text or --answer, or in your editor with the kind's prompts
    Add(AddArgs),
    /// Change an entry (opens your editor without --text or --answer)
    Edit(EditArgs),
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// What kind of writing (`onward prompts` shows each kind's questions)
    #[arg(long, value_parser = parser::<EntryKind>())]
    kind: EntryKind,
    #[command(flatten)]
    content: Content,
    /// The application it is about
    #[arg(long, value_name = "ID")]
    application: Option<String>,
    /// The interview it is about (a debrief)
    #[arg(long, value_name = "ID")]
    interview: Option<String>,
    /// The rejection it is about
    #[arg(long, value_name = "ID")]
    rejection: Option<String>,
    /// Written about yourself in the third person ("she", "he", "they", or your name)
    #[arg(long)]
    third_person: bool,
    /// The day it is about [default: now]
    #[arg(long, value_name = "DATE", value_parser = parse_datetime)]
    at: Option<DateTime<Utc>>,
}

#[derive(Debug, Args)]
pub struct EditArgs {
    /// The entry's id (4 or more characters)
    id: String,
    #[command(flatten)]
    content: Content,
}

/// Where the words come from.
#[derive(Debug, Args)]
pub struct Content {
    /// The text (`-` reads it from stdin)
    #[arg(long, value_name = "TEXT")]
    text: Option<String>,
    /// An answer to one prompt, as PROMPT_ID=TEXT (repeat for more; `onward prompts` lists the ids)
    #[arg(long = "answer", value_name = "PROMPT_ID=TEXT", value_parser = parse_answer)]
    answers: Vec<(String, String)>,
    /// Open your editor ($VISUAL, else $EDITOR, else vi) even when stdin is not a terminal
    #[arg(long, conflicts_with_all = ["text", "answers"])]
    edit: bool,
}

pub fn run(cmd: Command, journal: &mut Journal) -> Result<Printed> {
    match cmd {
        Command::Add(args) => add(args, journal),
        Command::Edit(args) => edit(args, journal),
    }
}

fn add(args: AddArgs, journal: &mut Journal) -> Result<Printed> {
    let set = for_kind(args.kind);
    let perspective = if args.third_person {
        Perspective::Third
    } else {
        Perspective::First
    };
    // Ids are checked before anyone spends time writing.
    let application_id = maybe_id_of::<Application>(journal, args.application.as_deref())?;
    let interview_id = maybe_id_of::<Interview>(journal, args.interview.as_deref())?;
    let rejection_id = maybe_id_of::<Rejection>(journal, args.rejection.as_deref())?;
    let about = match &interview_id {
        Some(id) => interview_context(journal, id)?,
        None => Vec::new(),
    };
    let Some(written) = gather(args.content, set, perspective, &about, &Written::default())? else {
        return Ok(cancelled("Nothing written, so nothing was saved. The prompts will be here whenever you want them."));
    };
    let mut entry = Entry::new(args.kind, written.body, journal.now());
    entry.answers = written.answers;
    entry.perspective = perspective;
    entry.written_at = args.at.unwrap_or(entry.written_at);
    entry.application_id = application_id;
    entry.interview_id = interview_id;
    entry.rejection_id = rejection_id;
    let entry = journal.add_entry(entry)?;
    let human = format!(
        "Saved your {} entry. Thank you for taking the time.\nid {}",
        words(entry.kind.as_str()),
        short(&entry.meta.id)
    );
    Ok(Printed::new(entity_json(&entry), human))
}

fn edit(args: EditArgs, journal: &mut Journal) -> Result<Printed> {
    let current: Entry = journal.get(&id_of::<Entry>(journal, &args.id)?)?;
    let set = for_kind(current.kind);
    let before = Written {
        body: current.body.clone(),
        answers: current.answers.clone(),
    };
    let Some(written) = gather(args.content, set, current.perspective, &[], &before)? else {
        return Ok(cancelled(
            "Everything was left empty, so the entry stays as it was.",
        ));
    };
    check_answers(set, &written.answers)?;
    let entry = journal.update::<Entry>(&current.meta.id, |e| {
        e.body = written.body;
        e.answers = written.answers;
        e.answers.retain(|_, a| !a.trim().is_empty());
        if !e.answers.is_empty() {
            e.prompt_set = Some(set.key());
        }
        Ok(())
    })?;
    Ok(Printed::new(entity_json(&entry), "Updated the entry."))
}

/// Collects the words from the flags, or from the editor when there are none and a
/// person is at the keyboard. `None` when nothing was written.
fn gather(
    content: Content,
    set: &PromptSet,
    perspective: Perspective,
    about: &[String],
    before: &Written,
) -> Result<Option<Written>> {
    let text = text_input::from_flag(content.text.as_deref())?;
    let written = if text.is_some() || !content.answers.is_empty() {
        let mut written = Written {
            body: text.unwrap_or_else(|| before.body.clone()),
            answers: before.answers.clone(),
        };
        let mut given: BTreeMap<String, String> = BTreeMap::new();
        for (id, answer) in content.answers {
            let slot = given.entry(id).or_default();
            if !slot.is_empty() {
                slot.push('\n');
            }
            slot.push_str(answer.trim());
        }
        written.answers.extend(given);
        written
    } else if content.edit || text_input::interactive() {
        let form = render_form(set, perspective, about, before);
        parse_form(&text_input::edit(&form, ".md")?)
    } else {
        return Err(Failure::new("there is nothing to save yet").hint(
            "Give the words with --text TEXT, --text - (stdin) or --answer PROMPT_ID=TEXT, or open your editor with --edit.",
        ));
    };
    Ok((!written.is_empty()).then_some(written))
}

/// Answers must belong to the kind's prompts (the core checks this for new entries).
fn check_answers(set: &PromptSet, answers: &BTreeMap<String, String>) -> Result<()> {
    match answers.keys().find(|id| set.prompt(id).is_none()) {
        None => Ok(()),
        Some(unknown) => Err(Failure::new(format!(
            "\"{unknown}\" is not a prompt of {} entries",
            words(set.kind.as_str())
        ))
        .hint(format!(
            "`onward prompts --kind {}` lists them.",
            set.kind.spoken()
        ))),
    }
}

/// The command that starts an entry of `kind` in the editor.
pub fn add_command(kind: EntryKind) -> String {
    format!("onward entry add --kind {}", kind.spoken())
}

fn cancelled(note: &str) -> Printed {
    Printed::new(json!({ "cancelled": true }), note)
}

/// `--answer needed=...`: the prompt id (hyphens or underscores) and the text.
fn parse_answer(value: &str) -> Result<(String, String), String> {
    let (id, text) = value.split_once('=').ok_or_else(|| {
        format!("\"{value}\" needs the form PROMPT_ID=TEXT, like needed=\"A calm on-call lead\"")
    })?;
    let id = id.trim().to_lowercase().replace('-', "_");
    if id.is_empty() {
        return Err("the prompt id before '=' is empty; `onward prompts` lists them".to_string());
    }
    Ok((id, text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_take_hyphens_and_keep_equals_signs_in_the_text() {
        assert_eq!(
            parse_answer("wanted-to-see=a=b").unwrap(),
            ("wanted_to_see".to_string(), "a=b".to_string())
        );
        assert!(parse_answer("no equals sign").is_err());
    }
}
