//! One record: its fields as stored, and its links both ways (what it points to, and
//! what points to it).

use crate::html::{escape, page, Screen};
use crate::screens::record_link;
use crate::state::{Desk, Trouble};
use axum::extract::{Path, State};
use axum::response::Html;
use onward_core::model::Record;
use onward_core::vocabulary::Label;
use onward_core::Link;
use serde_json::Value;

pub async fn show(
    State(desk): State<Desk>,
    Path(id): Path<String>,
) -> Result<Html<String>, Trouble> {
    let (record, (from, to), zone) = desk
        .with_journal(move |j| Ok((j.record(&id)?, j.links(&id)?, j.zone())))
        .await?;
    let fields: String = match record.to_json() {
        Value::Object(map) => map
            .iter()
            .filter(|(_, v)| !is_empty(v))
            .map(|(k, v)| {
                let shown = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                format!(
                    "<dt>{}</dt><dd>{}</dd>",
                    escape(&k.replace('_', " ")),
                    escape(&shown)
                )
            })
            .collect(),
        _ => String::new(),
    };
    let title = record.title();
    let body = format!(
        "<p class=\"kind\">{kind}</p><h1>{heading}</h1>
{application_actions}{history}
<section aria-labelledby=\"links-from\"><h2 id=\"links-from\">It links to</h2>{from}</section>
<section aria-labelledby=\"links-to\"><h2 id=\"links-to\">Linked from</h2>{to}</section>
<details><summary>All its details</summary><dl>{fields}</dl></details>",
        kind = escape(record.kind().label()),
        heading = escape(&title),
        application_actions = if record.kind() == onward_core::model::Kind::Application {
            format!(
                "<p><a href=\"/board\">On the board</a> · <a href=\"/interviews/new?application={id}\">Log an interview</a> · <a href=\"/messages/new?application={id}\">Draft a note</a> · <a href=\"/rejections/new?application={id}\">Log a no</a></p>",
                id = escape(record.id())
            )
        } else {
            String::new()
        },
        history = match &record {
            Record::Application(app) => format!(
                "<section aria-labelledby=\"history\"><h2 id=\"history\">How it went</h2>{}</section>",
                crate::screens::board::history(app, zone)
            ),
            _ => String::new(),
        },
        from = links(&from),
        to = links(&to),
    );
    Ok(page(Screen::Other, &title, true, &body))
}

fn links(links: &[Link]) -> String {
    if links.is_empty() {
        return "<p class=\"empty\">Nothing yet.</p>".to_string();
    }
    let items: String = links
        .iter()
        .map(|l| {
            let title = l.title.clone().unwrap_or_else(|| l.id.clone());
            format!(
                "<li>{} <small>({})</small></li>",
                record_link(&l.id, l.kind, &title),
                escape(&l.rel.replace('_', " "))
            )
        })
        .collect();
    format!("<ul class=\"records\">{items}</ul>")
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}
