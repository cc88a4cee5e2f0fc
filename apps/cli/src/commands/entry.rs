//! `onward entry` and `onward prompts`: journal entries, written as free text or as
//! answers to the built-in prompt sets, in a flag, from stdin or in your editor.

use super::application::name;
use super::{id_of, maybe_id_of};
use crate::dates::{self, parse_datetime};
use crate::error::{Failure, Result};
use crate::output::{entity_json, indent, words, Printed};
use crate::text_input;
use crate::vocab::{parser, Vocabulary};
use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use onward_core::model::{Application, Entry, EntryKind, Interview, Perspective, Rejection};
use onward_core::prompts::{self, PromptSet};
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
    /// Open your editor ($EDITOR, else $VISUAL, else vi) even when stdin is not a terminal
    #[arg(long, conflicts_with_all = ["text", "answers"])]
    edit: bool,
}

#[derive(Debug, Args)]
pub struct PromptsArgs {
    /// Only this kind's prompts
    #[arg(long, value_parser = parser::<EntryKind>())]
    kind: Option<EntryKind>,
}

/// What was written: free text and answers by prompt id.
#[derive(Debug, Default, PartialEq)]
struct Written {
    body: String,
    answers: BTreeMap<String, String>,
}

impl Written {
    fn is_empty(&self) -> bool {
        self.body.trim().is_empty() && self.answers.values().all(|a| a.trim().is_empty())
    }
}

pub fn run(cmd: Command, journal: &mut Journal) -> Result<Printed> {
    match cmd {
        Command::Add(args) => add(args, journal),
        Command::Edit(args) => edit(args, journal),
    }
}

fn add(args: AddArgs, journal: &mut Journal) -> Result<Printed> {
    let set = prompts::for_kind(args.kind);
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
    let set = prompts::for_kind(current.kind);
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

// ----- the editor form: one `## question <!-- id -->` section per prompt -----

const BODY: &str = "body";

/// What the form recalls about an interview: when, with whom, what they asked.
fn interview_context(journal: &Journal, id: &str) -> Result<Vec<String>> {
    let interview: Interview = journal.get(id)?;
    let app: Application = journal.get(&interview.application_id)?;
    let mut lines = vec![format!(
        "The {} interview for {}, {}.",
        words(interview.kind.as_str()),
        name(&app),
        dates::show(interview.scheduled_at)
    )];
    if !interview.questions.is_empty() {
        lines.push("They asked:".to_string());
        lines.extend(interview.questions.iter().map(|q| format!("  - {q}")));
    }
    Ok(lines)
}

/// The editor form: an intro in a comment, then one section per prompt. `about` lines
/// recall what the entry is about.
fn render_form(
    set: &PromptSet,
    perspective: Perspective,
    about: &[String],
    before: &Written,
) -> String {
    let mut form = format!(
        "<!-- Onward · {} entry. {}\n     Write under any heading you like and leave the others empty.\n",
        words(set.kind.as_str()),
        set.intro
    );
    for line in about {
        // A comment can't hold its own end marker.
        form.push_str(&format!("     {}\n", line.replace("-->", "->")));
    }
    if perspective == Perspective::Third {
        form.push_str(
            "     Write about yourself in the third person: a little distance can help.\n",
        );
    }
    form.push_str(
        "     Save and close to keep it. If everything is empty, nothing is saved. -->\n",
    );
    for prompt in set.prompts {
        let answer = before
            .answers
            .get(prompt.id)
            .map(String::as_str)
            .unwrap_or("");
        form.push_str(&section(prompt.text, prompt.id, answer));
    }
    let title = if set.prompts.is_empty() {
        "Your entry"
    } else {
        "Anything else"
    };
    form.push_str(&section(title, BODY, &before.body));
    form
}

fn section(title: &str, id: &str, text: &str) -> String {
    let text = text.trim();
    if text.is_empty() {
        format!("\n## {title} <!-- {id} -->\n\n")
    } else {
        format!("\n## {title} <!-- {id} -->\n\n{text}\n")
    }
}

/// Reads a form back: text under a section goes to its prompt (or the body); comment
/// blocks are dropped; text outside any section goes to the body.
fn parse_form(text: &str) -> Written {
    let mut sections: Vec<(String, String)> = vec![(BODY.to_string(), String::new())];
    let mut in_comment = false;
    for line in text.lines() {
        if in_comment {
            in_comment = !line.contains("-->");
            continue;
        }
        if let Some(id) = section_id(line) {
            sections.push((id, String::new()));
            continue;
        }
        if line.trim_start().starts_with("<!--") {
            in_comment = !line.contains("-->");
            continue;
        }
        let (_, body) = sections.last_mut().expect("starts with the body");
        body.push_str(line);
        body.push('\n');
    }
    let mut written = Written::default();
    for (id, text) in sections {
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        let slot = if id == BODY {
            &mut written.body
        } else {
            written.answers.entry(id).or_default()
        };
        if !slot.is_empty() {
            slot.push_str("\n\n");
        }
        slot.push_str(text);
    }
    written
}

/// The prompt id of a `## question <!-- id -->` heading.
fn section_id(line: &str) -> Option<String> {
    let line = line.trim();
    let rest = line.strip_prefix("## ")?;
    let (_, marker) = rest.rsplit_once("<!--")?;
    let id = marker.strip_suffix("-->")?.trim();
    (!id.is_empty()).then(|| id.to_string())
}

// ----- onward prompts -----

pub fn prompts(args: PromptsArgs) -> Printed {
    let sets: Vec<&PromptSet> = prompts::all()
        .filter(|s| args.kind.is_none_or(|k| s.kind == k))
        .collect();
    let json = serde_json::Value::Array(
        sets.iter()
            .map(|s| {
                let mut v = serde_json::to_value(s).unwrap_or_default();
                v["key"] = json!(s.key());
                v
            })
            .collect(),
    );
    let human = sets
        .iter()
        .map(|s| {
            let mut block = format!("{} — {}\n", s.kind.spoken(), s.intro);
            for p in s.prompts {
                block.push_str(&format!("  {:<14} {}\n", p.id, p.text));
            }
            let example = match s.prompts.first() {
                Some(p) => format!("--answer {}='...'", p.id),
                None => "--text '...'".to_string(),
            };
            block.push_str(&indent(
                &format!("onward entry add --kind {} {example}", s.kind.spoken()),
                "  → ",
            ));
            block
        })
        .collect::<Vec<_>>()
        .join("\n\n");
    Printed::new(json, human)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_reads_back_what_was_written_under_each_prompt() {
        let set = prompts::for_kind(EntryKind::Debrief);
        let form = render_form(
            set,
            Perspective::First,
            &["They asked: x --> y".to_string()],
            &Written::default(),
        );
        assert!(form.contains(
            "## What did the interviewer need to see from a candidate? <!-- wanted_to_see -->"
        ));
        assert!(parse_form(&form).is_empty(), "an untouched form is empty");

        let filled = form
            .replace(
                "<!-- wanted_to_see -->\n",
                "<!-- wanted_to_see -->\nCalm ownership\nof incidents\n",
            )
            .replace("<!-- body -->\n", "<!-- body -->\nA good day overall.\n");
        let written = parse_form(&filled);
        assert_eq!(written.answers.len(), 1);
        assert_eq!(
            written.answers["wanted_to_see"],
            "Calm ownership\nof incidents"
        );
        assert_eq!(written.body, "A good day overall.");
    }

    #[test]
    fn an_existing_entry_round_trips_through_the_form() {
        let set = prompts::for_kind(EntryKind::Gratitude);
        let before = Written {
            body: "Sunny".into(),
            answers: [(
                "person".to_string(),
                "Sam, for the mock interview".to_string(),
            )]
            .into(),
        };
        assert_eq!(
            parse_form(&render_form(set, Perspective::Third, &[], &before)),
            before
        );
    }

    #[test]
    fn answers_take_hyphens_and_keep_equals_signs_in_the_text() {
        assert_eq!(
            parse_answer("wanted-to-see=a=b").unwrap(),
            ("wanted_to_see".to_string(), "a=b".to_string())
        );
        assert!(parse_answer("no equals sign").is_err());
    }
}
