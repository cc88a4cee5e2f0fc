//! Import: a spreadsheet (CSV) or an Onward JSON export, uploaded, read by the core and
//! shown — which column fills which field, dates read without a year, rows left out —
//! before anything is added. What was shown is what is imported: the checked file waits
//! on the server (one at a time) until the person says yes.

use crate::html::{csrf_field, escape, page, Screen};
use crate::state::{Desk, Trouble};
use axum::extract::{Multipart, State};
use axum::response::Html;
use axum::Form;
use onward_core::import::{csv, json};
use onward_core::model::Kind;
use onward_core::vocabulary::Label;
use onward_core::words::{count, plural};
use serde::Deserialize;

/// A file read and shown, waiting for the person's yes.
pub struct Checked {
    /// Names this check in the confirming form, so an older page can't import a newer file.
    pub id: String,
    name: String,
    file: Parsed,
}

enum Parsed {
    Csv(csv::Parsed),
    Json(json::Parsed),
}

pub async fn form(State(desk): State<Desk>) -> Html<String> {
    page(Screen::Transfer, "Import", false, &upload_form(&desk, ""))
}

fn upload_form(desk: &Desk, trouble: &str) -> String {
    let trouble = if trouble.is_empty() {
        String::new()
    } else {
        format!(
            "<p role=\"alert\" class=\"trouble\">{}</p>",
            escape(trouble)
        )
    };
    format!(
        "<h1>Import</h1>{trouble}
<p>A spreadsheet of applications (CSV, from Excel, Google Sheets or another tracker), or an Onward export (JSON). Nothing is added until you've seen how the file is read; records already in your journal stay as they are.</p>
<form method=\"post\" action=\"/import/check\" enctype=\"multipart/form-data\" class=\"stack\">{csrf}
<label for=\"file\">The file</label>
<input id=\"file\" name=\"file\" type=\"file\" accept=\".csv,.tsv,.txt,.json,text/csv,application/json\" required>
<label for=\"dates\">Dates such as 02/11/2026 are</label>
<select id=\"dates\" name=\"dates\">
<option value=\"\">worked out from the file</option>
<option value=\"month-first\">month first (February 11)</option>
<option value=\"day-first\">day first (2 November)</option>
</select>
<button>Check the file</button>
</form>",
        csrf = csrf_field(desk)
    )
}

/// The upload: read by the core, shown, kept for the yes.
pub async fn check(
    State(desk): State<Desk>,
    mut upload: Multipart,
) -> Result<Html<String>, Trouble> {
    let (mut name, mut bytes, mut dates) = (String::new(), Vec::new(), String::new());
    loop {
        let field = match upload.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => {
                return Ok(again(
                    &desk,
                    &format!("The file didn't arrive whole ({e}). Please try again."),
                ))
            }
        };
        match field.name() {
            Some("file") => {
                name = field.file_name().unwrap_or("the file").to_string();
                match field.bytes().await {
                    Ok(b) => bytes = b.to_vec(),
                    Err(e) => {
                        return Ok(again(
                            &desk,
                            &format!("The file didn't arrive whole ({e}). Please try again."),
                        ))
                    }
                }
            }
            Some("dates") => dates = field.text().await.unwrap_or_default(),
            _ => {}
        }
    }
    if bytes.is_empty() {
        return Ok(again(&desk, "That file is empty: choose another one."));
    }
    let day_first = match dates.as_str() {
        "day-first" => Some(true),
        "month-first" => Some(false),
        _ => None,
    };
    let shown_name = name.clone();
    let read = desk
        .with_journal(move |j| {
            let file = if looks_like_json(&name, &bytes) {
                let text = String::from_utf8(bytes)
                    .map_err(|_| onward_core::Error::invalid("the file", "it is not UTF-8 text"))?;
                Parsed::Json(json::parse(&text)?)
            } else {
                let options = csv::Options { day_first };
                Parsed::Csv(csv::read(&bytes, &options, j.zone(), j.now())?)
            };
            let summary = summary(j, &file)?;
            Ok((file, summary))
        })
        .await;
    let (file, (summary, adds)) = match read {
        Ok(read) => read,
        Err(Trouble::Journal(e)) if is_about_the_file(&e) => {
            return Ok(again(
                &desk,
                &format!("{shown_name} can't be imported: {e}. Nothing was changed."),
            ))
        }
        Err(other) => return Err(other),
    };
    let kind = match &file {
        Parsed::Csv(_) => "application",
        Parsed::Json(_) => "record",
    };
    let checked = Checked {
        id: crate::state::random_token(),
        name: shown_name.clone(),
        file,
    };
    let confirm = if adds == 0 {
        "<p>There is nothing new in it to import. <a href=\"/import\">Choose another file</a>.</p>"
            .to_string()
    } else {
        format!(
            "<form method=\"post\" action=\"/import/confirm\" class=\"inline\">{csrf}\
             <input type=\"hidden\" name=\"check\" value=\"{id}\">\
             <button>Import {what}</button> <a href=\"/import\">Choose another file</a></form>",
            csrf = csrf_field(&desk),
            id = checked.id,
            what = escape(&plural(adds, kind))
        )
    };
    desk.hold_import(checked);
    let body = format!(
        "<h1>Import {name}?</h1>
<p>This is how Onward reads it. Nothing has been added yet.</p>
{summary}{confirm}",
        name = escape(&shown_name)
    );
    Ok(page(Screen::Transfer, "Import", false, &body))
}

/// A JSON export by its name, or by its first character when the name says nothing.
fn looks_like_json(name: &str, bytes: &[u8]) -> bool {
    let name = name.to_lowercase();
    name.ends_with(".json")
        || (!name.ends_with(".csv")
            && !name.ends_with(".tsv")
            && bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{'))
}

/// Errors that describe the file (shown on the form again), not the journal.
fn is_about_the_file(e: &onward_core::Error) -> bool {
    matches!(e, onward_core::Error::Invalid { .. })
}

fn again(desk: &Desk, trouble: &str) -> Html<String> {
    page(
        Screen::Transfer,
        "Import",
        false,
        &upload_form(desk, trouble),
    )
}

/// What the file holds and how it is read, as the page shows it, and how many records
/// it would add.
fn summary(j: &onward_core::Journal, file: &Parsed) -> onward_core::Result<(String, usize)> {
    Ok(match file {
        Parsed::Csv(parsed) => {
            let existing = csv::existing(j, &parsed.rows)?;
            csv_summary(parsed, existing)
        }
        Parsed::Json(parsed) => {
            let existing = parsed
                .records
                .iter()
                .filter(|r| j.record(r.id()).is_ok())
                .count();
            json_summary(parsed, existing)
        }
    })
}

fn csv_summary(parsed: &csv::Parsed, existing: usize) -> (String, usize) {
    let mapping = &parsed.mapping;
    let columns: String = mapping
        .fields
        .iter()
        .map(|(field, header)| {
            format!(
                "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
                escape(field.label()),
                escape(header)
            )
        })
        .collect();
    let mut notes: Vec<String> = Vec::new();
    if !mapping.kept_in_notes.is_empty() {
        notes.push(format!(
            "Kept in each application's notes: {}.",
            mapping.kept_in_notes.join(", ")
        ));
    }
    if let Some(order) = &mapping.date_order {
        notes.push(format!("Slashed dates are read {order}."));
    }
    if let Some(years) = mapping.years_note() {
        notes.push(format!("{years}."));
    }
    if let Some(encoding) = &mapping.encoding {
        notes.push(format!("Read as {encoding} text."));
    }
    if !parsed.repeated.is_empty() {
        notes.push(format!(
            "{} repeat an earlier row and count once.",
            plural(parsed.repeated.len(), "row")
        ));
    }
    let notes: String = notes
        .iter()
        .map(|n| format!("<li>{}</li>", escape(n)))
        .collect();
    let rows = parsed.rows.len();
    let adds = rows - existing;
    let errors = if parsed.errors.is_empty() {
        String::new()
    } else {
        let lines: String = parsed
            .errors
            .iter()
            .map(|e| format!("<li>line {}: {}</li>", e.line, escape(&e.reason)))
            .collect();
        format!(
            "<h2>Left out</h2><p>{} can't be read and will be left out; fix {} and import again whenever you like.</p><ul id=\"import-errors\">{lines}</ul>",
            plural(parsed.errors.len(), "row"),
            if parsed.errors.len() == 1 { "it" } else { "them" }
        )
    };
    let html = format!(
        "<table class=\"report\" id=\"import-mapping\"><caption>Which column fills what</caption>\
         <thead><tr><th scope=\"col\">In Onward</th><th scope=\"col\">From the column</th></tr></thead>\
         <tbody>{columns}</tbody></table>\
         <ul id=\"import-notes\">{notes}</ul>\
         <p id=\"import-count\"><strong>{} to add</strong>, {} already in your journal.</p>{errors}",
        escape(&plural(adds, "application")),
        count(existing)
    );
    (html, adds)
}

fn json_summary(parsed: &json::Parsed, existing: usize) -> (String, usize) {
    let kinds: String = Kind::ALL
        .iter()
        .filter_map(|&kind| {
            let n = parsed.records.iter().filter(|r| r.kind() == kind).count();
            (n > 0).then(|| {
                format!(
                    "<tr><th scope=\"row\">{}</th><td class=\"n\">{n}</td></tr>",
                    escape(kind.label())
                )
            })
        })
        .collect();
    let adds = parsed.records.len() - existing;
    let html = format!(
        "<table class=\"report\" id=\"import-kinds\"><caption>What the export holds</caption>\
         <thead><tr><th scope=\"col\">Kind</th><th scope=\"col\" class=\"n\">Records</th></tr></thead>\
         <tbody>{kinds}</tbody></table>\
         <p id=\"import-count\"><strong>{} to add</strong>, {} already in your journal.</p>",
        escape(&plural(adds, "record")),
        count(existing)
    );
    (html, adds)
}

#[derive(Deserialize)]
pub struct Confirm {
    check: String,
}

/// The yes: the file shown is imported.
pub async fn confirm(
    State(desk): State<Desk>,
    Form(yes): Form<Confirm>,
) -> Result<Html<String>, Trouble> {
    let Some(checked) = desk.take_import(&yes.check) else {
        return Ok(again(
            &desk,
            "That file is no longer waiting (another was checked since, or Onward restarted). Choose it again.",
        ));
    };
    let name = checked.name.clone();
    let said = desk
        .with_journal(move |j| {
            Ok(match checked.file {
                Parsed::Csv(parsed) => {
                    let done = csv::import(j, parsed.rows, &mut |_, _| {})?;
                    format!(
                        "Added {} from {name}; {} already there.",
                        plural(done.added, "application"),
                        count(done.skipped_existing)
                    )
                }
                Parsed::Json(parsed) => {
                    let done = json::store(j, parsed, &mut |_, _| {})?;
                    format!(
                        "Added {} from {name}; {} already there.",
                        plural(done.records.written, "record"),
                        count(done.records.skipped)
                    )
                }
            })
        })
        .await?;
    desk.changed();
    let body = format!(
        "<h1>Imported</h1><p role=\"status\" id=\"import-done\">{}</p>\
         <p><a href=\"/board\">See your applications</a> · <a href=\"/import\">Import another file</a></p>",
        escape(&said)
    );
    Ok(page(Screen::Transfer, "Imported", false, &body))
}
