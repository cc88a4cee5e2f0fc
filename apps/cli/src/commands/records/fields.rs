//! A record's fields as readable lines, in the order people think of them.

use crate::dates;
use crate::output::{indent, words};
use chrono::{DateTime, Utc};
use onward_core::model::{Kind, Record};
use onward_core::{prompts, short};
use serde_json::{Map, Value};

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

pub(super) fn fields_text(record: &Record) -> String {
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
