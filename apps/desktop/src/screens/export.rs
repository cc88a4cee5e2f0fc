//! Export: the journal downloaded whole (JSON, which imports again), as a calendar, or
//! as the raw Automerge document, each made by the core's exporters as the CLI's are.

use crate::html::{escape, page, Screen};
use crate::state::{Desk, Trouble};
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use onward_core::export::{self, Snapshot};
use onward_core::words::plural;
use onward_core::zone;

pub async fn show(State(desk): State<Desk>) -> Result<Html<String>, Trouble> {
    let records: i64 = desk
        .with_journal(|j| Ok(j.counts()?.iter().map(|(_, n)| n).sum()))
        .await?;
    let body = format!(
        "<h1>Export and import</h1>
<section aria-labelledby=\"download\"><h2 id=\"download\">Take your journal with you</h2>
<p>Your journal holds {records}. A download is a copy: nothing here changes.</p>
<ul class=\"records\" id=\"exports\">
<li><a href=\"/export/json\" download>Everything, as JSON</a> <small>every record and its history; Onward imports it again on any device</small></li>
<li><a href=\"/export/ics\" download>Interviews and reminders, for your calendar</a> <small>an .ics file</small></li>
<li><a href=\"/export/automerge\" download>The raw Automerge document</a> <small>for other Automerge tools</small></li>
</ul>
<p>For a benefits office or a coach, see the <a href=\"/reports/work-search\">work-search log</a> and the <a href=\"/reports/coach\">summary for a coach</a>. Spreadsheet files per kind and Markdown pages come from the command line: <code>onward export --format csv --output onward-csv</code>.</p>
</section>
<section aria-labelledby=\"bring\"><h2 id=\"bring\">Bring records in</h2>
<p><a href=\"/import\">Import a spreadsheet or an Onward export</a>: you see how the file is read before anything is added.</p>
</section>",
        records = escape(&plural(records, "record")),
    );
    Ok(page(Screen::Transfer, "Export and import", false, &body))
}

/// One download: `/export/json`, `/export/ics` or `/export/automerge`.
pub async fn download(
    State(desk): State<Desk>,
    Path(format): Path<String>,
) -> Result<Response, Trouble> {
    let Some(format) = Format::from_path(&format) else {
        return Ok((StatusCode::NOT_FOUND, "No such export.").into_response());
    };
    let (bytes, day) = desk
        .with_journal(move |j| {
            let day = zone::local_day(j.now(), j.zone());
            let bytes = match format {
                Format::Json => export::json::to_string(&Snapshot::of(j)?, j.now()).into_bytes(),
                Format::Ics => {
                    let reminders =
                        j.reminders_within(chrono::Duration::days(export::ics::REMINDER_DAYS))?;
                    export::ics::to_string(&Snapshot::of(j)?, &reminders).into_bytes()
                }
                Format::Automerge => export::automerge::bytes(j)?,
            };
            Ok((bytes, day))
        })
        .await?;
    let name = format!("onward-{day}.{}", format.extension());
    let mut response = (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(format.media_type()),
        )],
        bytes,
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

#[derive(Clone, Copy)]
enum Format {
    Json,
    Ics,
    Automerge,
}

impl Format {
    fn from_path(path: &str) -> Option<Format> {
        match path {
            "json" => Some(Format::Json),
            "ics" => Some(Format::Ics),
            "automerge" => Some(Format::Automerge),
            _ => None,
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Ics => "ics",
            Format::Automerge => "automerge",
        }
    }

    fn media_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Ics => "text/calendar; charset=utf-8",
            Format::Automerge => "application/octet-stream",
        }
    }
}
