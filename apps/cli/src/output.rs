//! Printing: every command returns a [`Printed`] holding both its JSON and its human
//! text, and `main` prints the one that was asked for. Helpers here format records the
//! same way everywhere.

use crate::dates;
use onward_core::model::{Entity, Record};
use onward_core::{short, Listed};
use serde_json::{json, Value};
use std::io::Write;

/// What a command shows: JSON for `--json`, a short human text otherwise.
pub struct Printed {
    pub json: Value,
    pub human: String,
    /// The exit status: 0, or [`NEEDS_ATTENTION`].
    pub exit: u8,
}

/// The exit status of a command that did its work but left something the person must
/// know about (a sync that isn't complete because of the relay).
pub const NEEDS_ATTENTION: u8 = 3;

impl Printed {
    pub fn new(json: Value, human: impl Into<String>) -> Printed {
        Printed {
            json,
            human: human.into(),
            exit: 0,
        }
    }

    /// The same, exiting with `exit`.
    pub fn exiting(mut self, exit: u8) -> Printed {
        self.exit = exit;
        self
    }

    /// Writes to stdout; a closed pipe (`onward timeline | head`) is not an error.
    pub fn print(&self, json: bool) {
        let mut out = std::io::stdout().lock();
        let _ = if json {
            let text = serde_json::to_string_pretty(&self.json).unwrap_or_default();
            writeln!(out, "{text}")
        } else if self.human.is_empty() {
            Ok(())
        } else {
            writeln!(out, "{}", self.human.trim_end())
        };
    }
}

/// A record as JSON: `{"id", "kind", "title", "fields": {...}}`. The fields are the
/// core's own, as stored; they sit apart because several kinds have a `kind` field of
/// their own (an entry's kind, an interview's kind).
pub fn record_json(record: &Record) -> Value {
    titled_json(record, &record.title())
}

/// As [`record_json`], with the title a list gives it (which names the company).
pub fn titled_json(record: &Record, title: &str) -> Value {
    json!({
        "id": record.id(),
        "kind": record.kind().as_str(),
        "title": title,
        "fields": record.to_json(),
    })
}

/// A typed record as JSON (see [`record_json`]).
pub fn entity_json<E: Entity>(entity: &E) -> Value {
    record_json(&entity.clone().into())
}

/// Typed records as a JSON array.
pub fn entities_json<E: Entity>(entities: &[E]) -> Value {
    Value::Array(entities.iter().map(entity_json).collect())
}

/// Listed records as a JSON array.
pub fn listed_json(listed: &[Listed]) -> Value {
    Value::Array(
        listed
            .iter()
            .map(|l| titled_json(&l.record, &l.title))
            .collect(),
    )
}

/// One line for lists: short id, date, kind, title, tags.
pub fn record_line(record: &Record, title: &str) -> String {
    let mut line = format!(
        "{}  {:<16}  {:<11}  {}",
        short(record.id()),
        dates::show(record.occurred_at()),
        record.kind().as_str(),
        title
    );
    let meta = record.meta();
    if !meta.tags.is_empty() {
        line.push_str("  ");
        line.push_str(
            &meta
                .tags
                .iter()
                .map(|t| format!("#{t}"))
                .collect::<Vec<_>>()
                .join(" "),
        );
    }
    if meta.deleted {
        line.push_str("  (deleted)");
    }
    line
}

/// A stored enum value as words: `no_response` reads "no response".
pub fn words(stored: &str) -> String {
    stored.replace('_', " ")
}

/// Indents every line of a text block.
pub fn indent(text: &str, by: &str) -> String {
    text.lines()
        .map(|l| {
            if l.is_empty() {
                by.trim_end().to_string()
            } else {
                format!("{by}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Quotes a value for a command line the person can paste.
pub fn shell_quote(text: &str) -> String {
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.,:/@%+=".contains(c))
    {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// Counted words come from the core, so the CLI says them as the apps do.
pub use onward_core::words::{count, plural};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_what_needs_it() {
        assert_eq!(shell_quote("thank-you"), "thank-you");
        assert_eq!(shell_quote("a walk"), "'a walk'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
    }
}
