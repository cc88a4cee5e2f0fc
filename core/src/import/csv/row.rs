//! One row of the file as an application: its fields, notes, stage and history.

use super::columns::{Columns, Field};
use super::dates::parse_date;
use super::ids::row_id;
use super::statuses::read_status;
use super::values::{read_excitement, read_source, read_work_mode};
use crate::model::{Application, Outcome, Source, Stage, StageEvent};
use crate::zone::Zone;
use chrono::{DateTime, Utc};

/// One row as an application, or the reason it can't be one.
pub(super) fn row(
    fields: &[String],
    header: &[String],
    columns: &Columns,
    kept: &[(usize, String)],
    day_first: bool,
    zone: Zone,
    now: DateTime<Utc>,
) -> std::result::Result<Application, String> {
    let get = |field: Field| -> &str {
        columns
            .get(&field)
            .and_then(|&i| fields.get(i))
            .map(|v| v.trim())
            .unwrap_or("")
    };
    let header_of = |field: Field| columns.get(&field).map_or("", |&i| header[i].trim());
    let company = get(Field::Company);
    let role = get(Field::Role);
    if company.is_empty() && role.is_empty() {
        return Err("no company and no role: at least one of them is needed".into());
    }

    let mut extra: Vec<String> = Vec::new();
    let applied_text = get(Field::Applied);
    let applied = if applied_text.is_empty() {
        None
    } else {
        Some(parse_date(applied_text, day_first, zone).ok_or_else(|| {
            format!(
                "\"{applied_text}\" under {} is not a date I can read (2026-11-02, 11/02/2026, \
                 2 Nov 2026 and Nov 2, 2026 all work)",
                header_of(Field::Applied)
            )
        })?)
    };

    let status_text = get(Field::Status);
    let status = read_status(status_text);
    if status.is_none() && !status_text.is_empty() {
        extra.push(format!("{}: {status_text}", header_of(Field::Status)));
    }

    let excitement_text = get(Field::Excitement);
    let excitement = read_excitement(excitement_text);
    if excitement.is_none() && !excitement_text.is_empty() && excitement_text != "0" {
        extra.push(format!(
            "{}: {excitement_text}",
            header_of(Field::Excitement)
        ));
    }

    let source_text = get(Field::Source);
    let source = read_source(source_text);
    let exact_source = source_text.parse::<Source>().is_ok();
    if !source_text.is_empty() && !exact_source {
        extra.push(format!("{}: {source_text}", header_of(Field::Source)));
    }

    let mode_text = get(Field::WorkMode);
    let work_mode = read_work_mode(mode_text);
    if work_mode.is_none() && !mode_text.is_empty() {
        extra.push(format!("{}: {mode_text}", header_of(Field::WorkMode)));
    }

    for (i, name) in kept {
        if let Some(value) = fields.get(*i).map(|v| v.trim()).filter(|v| !v.is_empty()) {
            extra.push(format!("{name}: {value}"));
        }
    }

    let url = get(Field::Url);
    let mut app = Application::new(company, role);
    app.meta.id = row_id(company, role, applied.map(|(d, _)| d), url);
    app.meta.created_at = now;
    app.meta.updated_at = now;
    let text = |v: &str| (!v.is_empty()).then(|| v.to_string());
    app.url = text(url);
    app.location = text(get(Field::Location));
    app.salary = text(get(Field::Salary));
    app.source = source;
    app.work_mode = work_mode;
    app.excitement = excitement;
    app.applied_at = applied.map(|(_, at)| at);

    let mut notes = get(Field::Notes).to_string();
    if !extra.is_empty() {
        if !notes.is_empty() {
            notes.push_str("\n\n");
        }
        notes.push_str(&extra.join("\n"));
    }
    app.notes = notes;

    // The stage and outcome, with a history that starts on the applied date (or now),
    // so an old rejection is not counted as this week's.
    let (mut stage, outcome) = status.unwrap_or((None, None));
    if applied.is_some() {
        stage = Some(stage.map_or(Stage::Applied, |s| s.max(Stage::Applied)));
    }
    let stage = stage.unwrap_or(match outcome {
        Some(Outcome::Rejected | Outcome::NoResponse) => Stage::Applied,
        Some(Outcome::Hired | Outcome::OfferDeclined) => Stage::Offer,
        _ => Stage::Saved,
    });
    let at = app.applied_at.unwrap_or(now);
    if app.applied_at.is_some() {
        app.history.push(StageEvent {
            at,
            stage: Some(Stage::Applied),
            outcome: None,
        });
    }
    if stage != Stage::Applied || app.applied_at.is_none() {
        app.history.push(StageEvent {
            at,
            stage: Some(stage),
            outcome: None,
        });
    }
    app.stage = stage;
    if let Some(outcome) = outcome.filter(|o| *o != Outcome::Open) {
        app.outcome = outcome;
        app.history.push(StageEvent {
            at,
            stage: None,
            outcome: Some(outcome),
        });
    }
    Ok(app)
}
