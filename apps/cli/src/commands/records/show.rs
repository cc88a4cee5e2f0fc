//! `onward show`: one record in full, with its history and links.

use super::fields::fields_text;
use crate::dates;
use crate::error::Result;
use crate::output::{record_json, words, Printed};
use clap::Args;
use onward_core::model::Record;
use onward_core::{short, Journal, Link};
use serde_json::{json, Value};

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The record's id (4 or more characters)
    id: String,
}

pub fn show(args: ShowArgs, journal: &mut Journal) -> Result<Printed> {
    let record = journal.record(&args.id)?;
    let (outgoing, incoming) = journal.links(record.id())?;
    let mut json = record_json(&record);
    json["links"] = json!({
        "to": outgoing.iter().map(link_json).collect::<Vec<_>>(),
        "from": incoming.iter().map(link_json).collect::<Vec<_>>(),
    });
    let mut human = format!(
        "{} {} · {}\n",
        capitalised(record.kind().as_str()),
        short(record.id()),
        record.title()
    );
    let conflicts = &record.meta().conflicts;
    if !conflicts.is_empty() {
        human.push_str(&format!(
            "  Written differently on two devices: {}. Both versions are kept below;\n  \
             your next edit settles it.\n",
            conflicts
                .iter()
                .map(|f| words(f))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    human.push_str(&fields_text(&record));
    if let Record::Application(app) = &record {
        human.push_str("\nHistory\n");
        for event in &app.history {
            let what = match (event.stage, event.outcome) {
                (Some(stage), _) => words(stage.as_str()),
                (None, Some(outcome)) => format!("outcome: {}", words(outcome.as_str())),
                (None, None) => String::new(),
            };
            human.push_str(&format!("  {:<16}  {what}\n", dates::show(event.at)));
        }
    }
    if !outgoing.is_empty() || !incoming.is_empty() {
        human.push_str("\nLinks\n");
        for link in &outgoing {
            human.push_str(&format!("  → {}\n", link_text(&link.rel, link)));
        }
        for link in &incoming {
            let kind = link.kind.map(|k| k.as_str()).unwrap_or("record");
            human.push_str(&format!("  ← {}\n", link_text(kind, link)));
        }
    }
    Ok(Printed::new(json, human))
}

fn link_json(link: &Link) -> Value {
    json!({
        "rel": link.rel,
        "id": link.id,
        "kind": link.kind.map(|k| k.as_str()),
        "title": link.title,
    })
}

/// `application  3fcf7b95  Data Engineer at Acme`: what the link is, then the record.
fn link_text(what: &str, link: &Link) -> String {
    let title = link
        .title
        .as_deref()
        .unwrap_or("(no longer in the journal)");
    format!("{:<12} {}  {title}", words(what), short(&link.id))
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
