//! Reads the JSON export (`export::json`) back: every record with its ids and times as
//! they were. A file is checked whole before anything is stored, so a malformed one
//! changes nothing.

use crate::export::json::{FORMAT, VERSION};
use crate::model::{Kind, Record};
use crate::{Error, Journal, Result, WriteCounts};
use serde_json::{Map, Value as Json};

/// A checked export, ready to store.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub version: u64,
    pub records: Vec<Record>,
    /// Stored reminder states (done, snoozed) by key.
    pub reminder_states: Map<String, Json>,
}

fn bad(what: impl Into<String>, reason: impl Into<String>) -> Error {
    Error::invalid(what, reason)
}

/// Checks the text of an export and reads its records. The error names the place that
/// is wrong (`records.applications[3]: company: ...`).
pub fn parse(text: &str) -> Result<Parsed> {
    let root: Json = serde_json::from_str(text).map_err(|e| {
        bad(
            "the file",
            format!(
                "it is not valid JSON (line {}, column {}: {e})",
                e.line(),
                e.column()
            ),
        )
    })?;
    let Json::Object(mut root) = root else {
        return Err(bad("the file", "it should hold one JSON object"));
    };
    match root.get("format") {
        Some(Json::String(f)) if f == FORMAT => {}
        other => {
            return Err(bad(
                "format",
                format!(
                    "expected \"{FORMAT}\", found {}: this is not an Onward export",
                    other.map_or("nothing".to_string(), |v| v.to_string())
                ),
            ))
        }
    }
    let version = root
        .get("version")
        .and_then(Json::as_u64)
        .ok_or_else(|| bad("version", "it should be a whole number such as 1"))?;
    if version > VERSION {
        return Err(bad(
            "version",
            format!(
                "this export is version {version}, written by a newer Onward; this one reads up to version {VERSION}. Update Onward to import it"
            ),
        ));
    }
    let Some(Json::Object(collections)) = root.remove("records") else {
        return Err(bad(
            "records",
            "it should be an object of lists, one per kind",
        ));
    };
    let mut records = Vec::new();
    for (name, list) in collections {
        let kind = Kind::from_collection(&name).ok_or_else(|| {
            bad(
                format!("records.{name}"),
                format!(
                    "not a kind of record (known: {})",
                    Kind::ALL
                        .iter()
                        .map(|k| k.collection())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })?;
        let Json::Array(items) = list else {
            return Err(bad(format!("records.{name}"), "it should be a list"));
        };
        for (i, item) in items.into_iter().enumerate() {
            let place = format!("records.{name}[{i}]");
            if !item.is_object() {
                return Err(bad(place, "it should be an object"));
            }
            let record = Record::from_json(kind, item).map_err(|e| {
                let detail = match e {
                    Error::Document(d) => d,
                    other => other.to_string(),
                };
                bad(place.clone(), detail)
            })?;
            record
                .validate()
                .map_err(|e| bad(format!("{place} (id {})", record.id()), e.to_string()))?;
            records.push(record);
        }
    }
    let reminder_states = match root.remove("reminder_states") {
        None | Some(Json::Null) => Map::new(),
        Some(Json::Object(states)) => states,
        Some(_) => return Err(bad("reminder_states", "it should be an object")),
    };
    Ok(Parsed {
        version,
        records,
        reminder_states,
    })
}

/// What [`store`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Imported {
    /// Records written, and records left as they were (the journal had their id).
    pub records: WriteCounts,
    /// Reminders marked done or snoozed again, as in the file.
    pub reminders_restored: usize,
    /// Reminder states left out: the journal has its own for that reminder, the
    /// reminder is no longer pending here, or a snooze is over.
    pub reminders_left: usize,
}

/// Stores every record as it is, leaving records the journal already has (same id)
/// untouched, so importing a file twice adds nothing. `progress` hears (done, total).
/// Then marks reminders done or snoozed as the file says, for those pending in this
/// journal with no state of their own (the time of that mark is now).
pub fn store(
    journal: &mut Journal,
    parsed: Parsed,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Imported> {
    let records = journal.put_records(parsed.records, true, progress)?;
    let mut imported = Imported {
        records,
        ..Imported::default()
    };
    let pending: std::collections::BTreeSet<String> =
        crate::reminders::pending(journal.connection(), journal.now(), journal.zone())?
            .into_iter()
            .map(|r| r.key)
            .collect();
    for (key, state) in &parsed.reminder_states {
        let status = state.get("status").and_then(Json::as_str);
        let until = state
            .get("until")
            .and_then(Json::as_str)
            .and_then(|u| chrono::DateTime::parse_from_rfc3339(u).ok())
            .map(|u| u.with_timezone(&chrono::Utc));
        let has_own = journal.with_document(|doc| Ok(doc.reminder_state(key)?.is_some()))?;
        if has_own || !pending.contains(key) {
            imported.reminders_left += 1;
            continue;
        }
        match (status, until) {
            (Some("done"), _) => {
                journal.complete_reminder(key)?;
            }
            (Some("snoozed"), Some(until)) if until > journal.now() => {
                journal.snooze_reminder(key, until)?;
            }
            _ => {
                imported.reminders_left += 1;
                continue;
            }
        }
        imported.reminders_restored += 1;
    }
    Ok(imported)
}
