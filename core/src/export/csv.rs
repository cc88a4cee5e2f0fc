//! CSV: one file per kind of record (`applications.csv`, `interviews.csv`, ...) and
//! `application_stages.csv` for the stage history. UTF-8 with a header row, quoted where
//! needed; lists are joined with "; ", maps (an entry's answers) become one column per
//! key (`answers.went_well`), timestamps are RFC 3339.

use super::{io_error, record_fields, Snapshot};
use crate::model::*;
use crate::Result;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value as Json};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The file of the stage history.
pub const STAGES_FILE: &str = "application_stages.csv";
/// Columns every kind starts with, in this order.
const FIRST: &[&str] = &["id", "created_at", "updated_at", "deleted", "tags"];
/// Kept out of the per-kind files: the stage history has a file of its own.
const LEFT_OUT: &[&str] = &["history", "conflicts"];

/// The file name of a kind's records: `applications.csv`.
pub fn file_name(kind: Kind) -> String {
    format!("{}.csv", kind.collection())
}

/// Writes every file into `dir` (which must exist). Returns the files with the number of
/// rows in each.
pub fn write_dir(snapshot: &Snapshot, dir: &Path) -> Result<Vec<(PathBuf, usize)>> {
    let mut written = Vec::new();
    for &kind in Kind::ALL {
        let path = dir.join(file_name(kind));
        let file = std::fs::File::create(&path).map_err(|e| io_error(&path, e))?;
        let rows = write_kind(snapshot, kind, file).map_err(|e| io_error(&path, e))?;
        written.push((path, rows));
    }
    let path = dir.join(STAGES_FILE);
    let file = std::fs::File::create(&path).map_err(|e| io_error(&path, e))?;
    let rows = write_stages(snapshot, file).map_err(|e| io_error(&path, e))?;
    written.push((path, rows));
    Ok(written)
}

/// One kind's records as CSV. Returns the number of rows.
pub fn write_kind(snapshot: &Snapshot, kind: Kind, out: impl Write) -> std::io::Result<usize> {
    let rows: Vec<Map<String, Json>> = snapshot
        .of_kind(kind)
        .map(|r| flatten(record_fields(r)))
        .collect();
    let mut rest = BTreeSet::new();
    for fields in rows.iter().chain(std::iter::once(&flatten(sample(kind)))) {
        rest.extend(
            fields
                .keys()
                .filter(|k| !FIRST.contains(&k.as_str()))
                .cloned(),
        );
    }
    let header: Vec<String> = FIRST.iter().map(|s| s.to_string()).chain(rest).collect();
    let mut writer = ::csv::Writer::from_writer(out);
    writer.write_record(&header)?;
    for fields in &rows {
        writer.write_record(header.iter().map(|col| cell(fields.get(col))))?;
    }
    writer.flush()?;
    Ok(rows.len())
}

/// The stage history of every application: `application_id, at, stage, outcome`, one row
/// per step, in the order stored.
pub fn write_stages(snapshot: &Snapshot, out: impl Write) -> std::io::Result<usize> {
    let mut writer = ::csv::Writer::from_writer(out);
    writer.write_record(["application_id", "at", "stage", "outcome"])?;
    let mut rows = 0;
    for record in snapshot.of_kind(Kind::Application) {
        let Record::Application(app) = record else {
            continue;
        };
        for step in &app.history {
            writer.write_record([
                app.meta.id.as_str(),
                &time(step.at),
                step.stage.map_or("", |s| s.as_str()),
                step.outcome.map_or("", |o| o.as_str()),
            ])?;
            rows += 1;
        }
    }
    writer.flush()?;
    Ok(rows)
}

/// As the records' own timestamps: RFC 3339 in UTC with a `Z`.
fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// Maps inside a record (an entry's answers) become `key.inner` columns.
fn flatten(fields: Map<String, Json>) -> Map<String, Json> {
    let mut flat = Map::new();
    for (key, value) in fields {
        if LEFT_OUT.contains(&key.as_str()) {
            continue;
        }
        match value {
            Json::Object(inner) => {
                for (k, v) in inner {
                    flat.insert(format!("{key}.{k}"), v);
                }
            }
            other => {
                flat.insert(key, other);
            }
        }
    }
    flat
}

fn cell(value: Option<&Json>) -> String {
    match value {
        None | Some(Json::Null) => String::new(),
        Some(Json::String(s)) => s.clone(),
        Some(Json::Array(items)) => items
            .iter()
            .map(|v| match v {
                Json::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join("; "),
        Some(other) => other.to_string(),
    }
}

/// A record of each kind with every field, so that a kind with no records still gets
/// its full header.
fn sample(kind: Kind) -> Map<String, Json> {
    let now = Utc::now();
    let record: Record = match kind {
        Kind::Application => Application::new("", "").into(),
        Kind::Interview => Interview::new("", InterviewKind::ALL[0], now).into(),
        Kind::Contact => Contact::new("").into(),
        Kind::Rejection => Rejection::new("", now).into(),
        Kind::Message => Message::new(MessageKind::ALL[0], "", now).into(),
        Kind::Entry => Entry::new(EntryKind::ALL[0], "", now).into(),
        Kind::Mood => Mood::new(3, now).into(),
        Kind::Activity => Activity::new(ActivityCategory::ALL[0], "").into(),
        Kind::Goal => Goal::new(GoalKind::ALL[0], "").into(),
    };
    record_fields(&record)
}
