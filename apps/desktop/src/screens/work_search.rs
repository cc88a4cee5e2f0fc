//! The work-search log a benefits office asks for: the activities of a period, the
//! count per week against the person's weekly minimum, a page that prints cleanly and
//! the same rows as CSV, all from the core's `Journal::work_search_log`.

use crate::html::{escape, page, Screen};
use crate::screens::period::{self, long_day, Asked};
use crate::state::{Desk, Trouble};
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use onward_core::reports::work_search::{WorkSearchLog, DEFAULT_MINIMUM};
use onward_core::reports::work_search_csv::HEADER;
use onward_core::vocabulary::Label;
use onward_core::words::plural;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Chosen {
    #[serde(flatten)]
    period: Asked,
    minimum: Option<u32>,
}

async fn log(desk: &Desk, chosen: Chosen) -> Result<WorkSearchLog, Trouble> {
    let minimum = chosen.minimum.unwrap_or(DEFAULT_MINIMUM);
    desk.with_journal(move |j| j.work_search_log(chosen.period.period(j)?, minimum))
        .await
}

pub async fn show(
    State(desk): State<Desk>,
    Query(chosen): Query<Chosen>,
) -> Result<Html<String>, Trouble> {
    let log = log(&desk, chosen).await?;
    let (from, to) = (log.period.from, log.period.to);
    let form = format!(
        "<form method=\"get\" action=\"/reports/work-search\" class=\"inline\">{}\
         <label for=\"minimum\">Weekly minimum</label>\
         <input id=\"minimum\" name=\"minimum\" type=\"number\" min=\"0\" value=\"{}\">\
         <button>Show</button></form>",
        period::fields(log.period),
        log.minimum
    );
    let weeks: String = log
        .weeks
        .iter()
        .map(|w| {
            let part = if w.partial { " (part of the week)" } else { "" };
            let class = if w.below_minimum { " class=\"below\"" } else { "" };
            format!(
                "<tr{class}><th scope=\"row\">{} · from {}{part}</th><td class=\"n\">{}</td><td>{}</td></tr>",
                escape(&w.week),
                long_day(w.starts),
                w.activities,
                escape(&w.note)
            )
        })
        .collect();
    let activities = if log.activities.is_empty() {
        "<p>No job-search activity logged in these days. Applications, interviews and notes you send show up here by themselves.</p>".to_string()
    } else {
        let head: String = HEADER
            .iter()
            .map(|h| format!("<th scope=\"col\">{}</th>", escape(h)))
            .collect();
        let rows: String = log
            .activities
            .iter()
            .map(|a| {
                format!(
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    a.date,
                    escape(&a.employer),
                    escape(&a.position),
                    escape(a.method.label()),
                    escape(&a.contacted),
                    escape(&a.result)
                )
            })
            .collect();
        format!(
            "<div class=\"scroll\"><table class=\"report\" id=\"activities\"><caption>Every activity, oldest first</caption>\
             <thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>"
        )
    };
    let csv = format!(
        "/reports/work-search.csv?from={from}&amp;to={to}&amp;minimum={}",
        log.minimum
    );
    let body = format!(
        "<h1>Work-search log</h1>
<p class=\"pulse\">{from_long} to {to_long} · {count} · dates local to {zone}</p>
{form}
<p class=\"actions\"><a href=\"{csv}\" download>Download as CSV</a> · To keep it as a PDF, use your browser's Print.</p>
<section aria-labelledby=\"weeks-heading\"><h2 id=\"weeks-heading\">Week by week</h2>
<div class=\"scroll\"><table class=\"report\" id=\"weeks\"><caption>Activities per week against a minimum of {minimum}</caption>
<thead><tr><th scope=\"col\">Week</th><th scope=\"col\" class=\"n\">Activities</th><th scope=\"col\">Against the minimum</th></tr></thead>
<tbody>{weeks}</tbody></table></div></section>
<section aria-labelledby=\"activities-heading\"><h2 id=\"activities-heading\">Activities</h2>{activities}</section>",
        from_long = long_day(from),
        to_long = long_day(to),
        count = plural(log.activities.len(), "activity"),
        zone = escape(&log.time_zone),
        minimum = log.minimum,
    );
    Ok(page(Screen::WorkSearch, "Work-search log", true, &body))
}

/// The same log as the CLI's `onward export --format work-search`, to download.
pub async fn csv(
    State(desk): State<Desk>,
    Query(chosen): Query<Chosen>,
) -> Result<Response, Trouble> {
    let log = log(&desk, chosen).await?;
    let name = format!(
        "attachment; filename=\"work-search-{}-to-{}.csv\"",
        log.period.from, log.period.to
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, name),
        ],
        log.to_csv(),
    )
        .into_response())
}
