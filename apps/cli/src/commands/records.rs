//! Commands over records of any kind: the timeline, one record in full, search,
//! delete and restore, tags.

use crate::dates::{self, parse_datetime};
use crate::error::Result;
use crate::output::{indent, listed_json, record_json, record_line, titled_json, words, Printed};
use crate::vocab::parser;
use chrono::{DateTime, Utc};
use clap::Args;
use onward_core::model::{Kind, Record};
use onward_core::{prompts, short, Filter, Journal, Link};
use serde_json::{json, Map, Value};

#[derive(Debug, Args)]
pub struct TimelineArgs {
    /// Only records of this kind (repeat for more)
    #[arg(long = "kind", value_name = "KIND", value_parser = parser::<Kind>())]
    kinds: Vec<Kind>,
    /// Only records with this tag
    #[arg(long)]
    tag: Option<String>,
    /// Only what belongs to this application
    #[arg(long, value_name = "ID")]
    application: Option<String>,
    /// From this date on
    #[arg(long, value_name = "DATE", value_parser = parse_datetime)]
    since: Option<DateTime<Utc>>,
    /// Before this date
    #[arg(long, value_name = "DATE", value_parser = parse_datetime)]
    until: Option<DateTime<Utc>>,
    /// How many per page
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
    limit: u32,
    /// Which page, from 1
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    page: u32,
    /// Show only deleted records (to find one to restore)
    #[arg(long)]
    deleted: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The record's id (4 or more characters)
    id: String,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Words to find (all of them, as word beginnings)
    #[arg(required = true, num_args = 1..)]
    text: Vec<String>,
    /// How many results at most
    #[arg(long, default_value_t = 20)]
    limit: usize,
}

#[derive(Debug, Args)]
pub struct IdArgs {
    /// The record's id (4 or more characters)
    id: String,
}

#[derive(Debug, Args)]
pub struct TagArgs {
    /// The record's id (4 or more characters)
    id: String,
    /// The tags
    #[arg(required = true, num_args = 1..)]
    tags: Vec<String>,
    /// Remove these tags instead of adding them
    #[arg(long)]
    remove: bool,
}

pub fn timeline(args: TimelineArgs, journal: &mut Journal) -> Result<Printed> {
    let limit = args.limit as usize;
    let filter = Filter {
        kinds: args.kinds,
        tag: args.tag,
        application_id: args
            .application
            .map(|id| journal.resolve(&id))
            .transpose()?,
        since: args.since,
        until: args.until,
        only_deleted: args.deleted,
        limit,
        offset: (args.page as usize - 1) * limit,
        ..Default::default()
    };
    let records = journal.timeline(&filter)?;
    let human = if records.is_empty() {
        if args.page > 1 {
            "That's everything: no more pages.".to_string()
        } else {
            "Nothing here yet.".to_string()
        }
    } else {
        let mut text = records
            .iter()
            .map(|l| record_line(&l.record, &l.title))
            .collect::<Vec<_>>()
            .join("\n");
        if records.len() == limit {
            text.push_str(&format!("\n\nMore: add --page {}", args.page + 1));
        }
        text
    };
    Ok(Printed::new(listed_json(&records), human))
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

pub fn search(args: SearchArgs, journal: &mut Journal) -> Result<Printed> {
    let query = args.text.join(" ");
    let hits = journal.search(&query, args.limit)?;
    let json = Value::Array(
        hits.iter()
            .map(|hit| {
                let mut row = titled_json(&hit.record, &hit.title);
                row["snippet"] = json!(hit.snippet);
                row
            })
            .collect(),
    );
    let human = if hits.is_empty() {
        format!("Nothing found for \"{query}\".")
    } else {
        hits.iter()
            .map(|hit| {
                format!(
                    "{}\n    {}",
                    record_line(&hit.record, &hit.title),
                    hit.snippet
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    Ok(Printed::new(json, human))
}

pub fn delete(args: IdArgs, journal: &mut Journal) -> Result<Printed> {
    let record = journal.delete(&args.id)?;
    let id = short(record.id());
    let human = format!(
        "Deleted the {} \"{}\". Changed your mind? onward restore {id}",
        record.kind(),
        record.title()
    );
    Ok(Printed::new(record_json(&record), human))
}

pub fn restore(args: IdArgs, journal: &mut Journal) -> Result<Printed> {
    let record = journal.restore(&args.id)?;
    let human = format!("Restored the {} \"{}\".", record.kind(), record.title());
    Ok(Printed::new(record_json(&record), human))
}

pub fn tag(args: TagArgs, journal: &mut Journal) -> Result<Printed> {
    let (add, remove) = if args.remove {
        (vec![], args.tags)
    } else {
        (args.tags, vec![])
    };
    let record = journal.retag(&args.id, &add, &remove)?;
    let tags = &record.meta().tags;
    let human = if tags.is_empty() {
        format!("\"{}\" has no tags now.", record.title())
    } else {
        let list = tags
            .iter()
            .map(|t| format!("#{t}"))
            .collect::<Vec<_>>()
            .join(" ");
        format!("\"{}\" is tagged {list}.", record.title())
    };
    Ok(Printed::new(record_json(&record), human))
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

// ----- a record's fields, readable -----

/// The fields of each kind in the order people think of them. Any field not named here
/// (a newer core's) is shown after these.
fn field_order(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Application => &[
            "company",
            "role",
            "stage",
            "outcome",
            "applied_at",
            "next_action_at",
            "source",
            "location",
            "work_mode",
            "salary",
            "excitement",
            "url",
            "notes",
        ],
        Kind::Interview => &[
            "kind",
            "round",
            "scheduled_at",
            "questions",
            "self_rating",
            "notes",
        ],
        Kind::Contact => &[
            "name",
            "company",
            "role",
            "email",
            "profile_url",
            "last_interaction_at",
            "notes",
        ],
        Kind::Rejection => &[
            "received_at",
            "channel",
            "stage_reached",
            "reason",
            "context_factors",
            "feedback_status",
            "feedback",
            "message_text",
        ],
        Kind::Message => &[
            "kind",
            "status",
            "drafted_at",
            "sent_at",
            "reply_at",
            "reply_summary",
            "body",
        ],
        Kind::Entry => &[
            "kind",
            "written_at",
            "perspective",
            "prompt_set",
            "answers",
            "body",
        ],
        Kind::Mood => &["valence", "energy", "words", "felt_at", "note"],
        Kind::Activity => &[
            "category",
            "description",
            "planned_for",
            "done_at",
            "mood_before",
            "mood_after",
        ],
        Kind::Goal => &["kind", "title", "status", "progress", "due", "notes"],
    }
}

/// Shown elsewhere (title, history, links) or not interesting to read.
const SKIPPED: &[&str] = &[
    "id",
    "created_at",
    "updated_at",
    "deleted",
    "tags",
    "history",
];

/// Ratings shown as "4/5".
const SCALES: &[&str] = &[
    "excitement",
    "self_rating",
    "valence",
    "energy",
    "mood_before",
    "mood_after",
];

/// Free text whose underscores must stay as typed.
const TEXTS: &[&str] = &[
    "company",
    "role",
    "location",
    "salary",
    "url",
    "notes",
    "name",
    "email",
    "profile_url",
    "feedback",
    "message_text",
    "reply_summary",
    "body",
    "note",
    "description",
    "title",
    "questions",
    "words",
    "prompt_set",
];

fn fields_text(record: &Record) -> String {
    let Value::Object(fields) = record.to_json() else {
        return String::new();
    };
    let order = field_order(record.kind());
    let mut keys: Vec<&String> = order
        .iter()
        .filter_map(|k| fields.get_key_value(*k).map(|(k, _)| k))
        .collect();
    keys.extend(
        fields.keys().filter(|k| {
            !order.contains(&k.as_str()) && !SKIPPED.contains(&k.as_str()) && !is_link(k)
        }),
    );
    let mut text = String::new();
    for key in keys {
        let value = if key == "answers" {
            answers_text(record, &fields)
        } else {
            value_text(key, &fields[key.as_str()])
        };
        let Some(value) = value else { continue };
        let label = words(key.strip_suffix("_at").unwrap_or(key));
        if value.contains('\n') {
            text.push_str(&format!("  {label}:\n{}\n", indent(&value, "    ")));
        } else {
            text.push_str(&format!("  {label:<16} {value}\n"));
        }
    }
    let meta = record.meta();
    if !meta.tags.is_empty() {
        let tags = meta
            .tags
            .iter()
            .map(|t| format!("#{t}"))
            .collect::<Vec<_>>()
            .join(" ");
        text.push_str(&format!("  {:<16} {tags}\n", "tags"));
    }
    text.push_str(&format!(
        "  {:<16} {}\n",
        "added",
        dates::show(meta.created_at)
    ));
    if meta.deleted {
        text.push_str(&format!(
            "  {:<16} yes (onward restore {} brings it back)\n",
            "deleted",
            short(record.id())
        ));
    }
    text
}

fn is_link(key: &str) -> bool {
    key.ends_with("_id") || key.ends_with("_ids")
}

/// One field's value as text, or `None` when there is nothing to show.
fn value_text(key: &str, value: &Value) -> Option<String> {
    let text = match value {
        Value::Null => return None,
        Value::String(s) if s.trim().is_empty() => return None,
        Value::String(s) if key.ends_with("_at") || key == "due" => DateTime::parse_from_rfc3339(s)
            .map(|t| dates::show(t.with_timezone(&Utc)))
            .unwrap_or_else(|_| s.clone()),
        Value::String(s) if TEXTS.contains(&key) => s.trim_end().to_string(),
        Value::String(s) => words(s),
        Value::Number(n) if SCALES.contains(&key) => format!("{n}/5"),
        Value::Number(n) if key == "progress" => format!("{n}%"),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
        Value::Array(items) if items.is_empty() => return None,
        Value::Array(items) => {
            let items: Vec<String> = items.iter().filter_map(|v| value_text(key, v)).collect();
            if key == "questions" {
                items
                    .iter()
                    .map(|q| format!("- {q}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            } else {
                items.join(", ")
            }
        }
        Value::Object(map) if map.is_empty() => return None,
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{k}: {}", value_text(k, v).unwrap_or_default()))
            .collect::<Vec<_>>()
            .join("\n"),
    };
    Some(text)
}

/// An entry's answers under their questions.
fn answers_text(record: &Record, fields: &Map<String, Value>) -> Option<String> {
    let Record::Entry(entry) = record else {
        return value_text("answers", &fields["answers"]);
    };
    if entry.answers.is_empty() {
        return None;
    }
    // In the order the questions are asked; answers to retired prompts after them.
    let set = prompts::for_kind(entry.kind);
    let known = set.prompts.iter().map(|p| (p.id, p.text));
    let retired = entry
        .answers
        .keys()
        .filter(|id| set.prompt(id).is_none())
        .map(|id| (id.as_str(), id.as_str()));
    let blocks: Vec<String> = known
        .chain(retired)
        .filter_map(|(id, question)| {
            let answer = entry.answers.get(id)?;
            Some(format!("{question}\n{}", indent(answer.trim(), "  ")))
        })
        .collect();
    Some(blocks.join("\n"))
}
