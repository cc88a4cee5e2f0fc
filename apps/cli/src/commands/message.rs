//! `onward message`: thank-you notes, feedback requests, follow-ups and networking
//! notes, from a template or your own words, and how they were answered.

use super::{id_of, maybe_id_of};
use crate::dates::{self, parse_datetime};
use crate::error::{Failure, Result};
use crate::output::{entities_json, entity_json, indent, words, Printed};
use crate::text_input;
use crate::vocab::{parser, Vocabulary};
use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use onward_core::model::{Application, Contact, Message, MessageKind, MessageStatus};
use onward_core::{short, Journal};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Draft a note from its template (filled with what the journal knows) or your own text
    Draft(DraftArgs),
    /// Change a draft's text (opens your editor without --text)
    Edit {
        /// The message's id (4 or more characters)
        id: String,
        /// The new text (`-` reads it from stdin)
        #[arg(long, value_name = "TEXT")]
        text: Option<String>,
    },
    /// Mark a note as sent
    Sent {
        /// The message's id (4 or more characters)
        id: String,
        /// When you sent it [default: now]
        #[arg(long, value_name = "DATE", value_parser = parse_datetime)]
        at: Option<DateTime<Utc>>,
    },
    /// They replied: note what they said
    Reply {
        /// The message's id (4 or more characters)
        id: String,
        /// What the reply said, in a line
        #[arg(long)]
        summary: String,
    },
    /// They politely declined (common for feedback, and fine)
    Declined {
        /// The message's id (4 or more characters)
        id: String,
        /// What they said, in a line
        #[arg(long)]
        summary: Option<String>,
    },
    /// No reply came (that happens a lot, and it's fine)
    NoReply {
        /// The message's id (4 or more characters)
        id: String,
    },
    /// List your notes, newest first
    List,
}

#[derive(Debug, Args)]
pub struct DraftArgs {
    /// What kind of note
    #[arg(long, value_parser = parser::<MessageKind>())]
    kind: MessageKind,
    /// The application it is about
    #[arg(long, value_name = "ID")]
    application: Option<String>,
    /// Who it is for [default: the application's latest interviewer]
    #[arg(long, value_name = "ID")]
    contact: Option<String>,
    /// One specific moment worth mentioning ("the talk about the data migration")
    #[arg(long, value_name = "TEXT")]
    moment: Option<String>,
    /// Your own text instead of the template (`-` reads it from stdin)
    #[arg(long, value_name = "TEXT")]
    text: Option<String>,
}

/// The command that saves a note of `kind` as a draft.
pub fn draft_command(
    kind: MessageKind,
    application: Option<&str>,
    contact: Option<&str>,
) -> String {
    let mut cmd = format!("onward message draft --kind {}", kind.spoken());
    if let Some(app) = application {
        cmd.push_str(&format!(" --application {}", short(app)));
    }
    if let Some(contact) = contact {
        cmd.push_str(&format!(" --contact {}", short(contact)));
    }
    cmd
}

pub fn run(cmd: Command, journal: &mut Journal) -> Result<Printed> {
    match cmd {
        Command::Draft(args) => {
            let body = text_input::from_flag(args.text.as_deref())?;
            let message = journal.draft_message(
                args.kind,
                maybe_id_of::<Application>(journal, args.application.as_deref())?.as_deref(),
                maybe_id_of::<Contact>(journal, args.contact.as_deref())?.as_deref(),
                args.moment.as_deref(),
                body,
            )?;
            let id = short(&message.meta.id);
            let human = format!(
                "Saved as a draft ({}):\n\n{}\n\nid {id}  ·  change it: onward message edit {id}  ·  once it's sent: onward message sent {id}",
                words(message.kind.as_str()),
                indent(message.body.trim(), "  ")
            );
            Ok(Printed::new(entity_json(&message), human))
        }
        Command::Edit { id, text } => {
            let id = id_of::<Message>(journal, &id)?;
            let text = match text_input::from_flag(text.as_deref())? {
                Some(text) => text,
                None => {
                    let current: Message = journal.get(&id)?;
                    text_input::edit(&current.body, ".txt")?
                }
            };
            if text.trim().is_empty() {
                return Err(Failure::new(
                    "the new text is empty, so the note was left as it was",
                ));
            }
            let message = journal.update::<Message>(&id, |m| {
                m.body = text.trim_end().to_string();
                Ok(())
            })?;
            Ok(Printed::new(entity_json(&message), "Updated the note."))
        }
        Command::Sent { id, at } => {
            let id = id_of::<Message>(journal, &id)?;
            let message = journal.mark_sent(&id, at)?;
            let extra = if message.kind == MessageKind::FeedbackRequest {
                " Asking took courage. Whatever comes back (or doesn't), you showed you're open to learning."
            } else {
                " Nicely done."
            };
            Ok(Printed::new(
                entity_json(&message),
                format!("Marked as sent.{extra}"),
            ))
        }
        Command::Reply { id, summary } => {
            let id = id_of::<Message>(journal, &id)?;
            let message = journal.record_reply(&id, MessageStatus::Replied, Some(summary), None)?;
            Ok(Printed::new(entity_json(&message), "Noted their reply."))
        }
        Command::Declined { id, summary } => {
            let id = id_of::<Message>(journal, &id)?;
            let message = journal.record_reply(&id, MessageStatus::Declined, summary, None)?;
            Ok(Printed::new(
                entity_json(&message),
                "Noted: they couldn't share more. That's common (often a company policy), and asking was still worth it.",
            ))
        }
        Command::NoReply { id } => {
            let id = id_of::<Message>(journal, &id)?;
            let message = journal.record_reply(&id, MessageStatus::NoReply, None, None)?;
            Ok(Printed::new(
                entity_json(&message),
                "Noted: no reply. Silence is common and says little about you.",
            ))
        }
        Command::List => {
            let messages = journal.list::<Message>()?;
            let json = entities_json(&messages);
            let human = if messages.is_empty() {
                "No notes yet. `onward message draft --kind thank-you --application ID` starts one."
                    .to_string()
            } else {
                messages
                    .iter()
                    .map(|m| line(journal, m))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            Ok(Printed::new(json, human))
        }
    }
}

fn line(journal: &Journal, m: &Message) -> String {
    let about = m
        .application_id
        .as_deref()
        .and_then(|id| journal.record(id).ok())
        .map(|r| format!(" · {}", r.title()))
        .unwrap_or_default();
    let when = m.sent_at.unwrap_or(m.drafted_at);
    format!(
        "{}  {:<16}  {:<17} {:<9}{about}",
        short(&m.meta.id),
        dates::show(when),
        words(m.kind.as_str()),
        words(m.status.as_str()),
    )
}
